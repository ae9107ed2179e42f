"""Quality: (a) WMT translation retrieval per language, (b) SemEval AUC and recall@3%.
usage: quality.py MODEL  -> results/quality_MODEL.json"""
import json, sys, collections, time
from pathlib import Path
import numpy as np
from sklearn.metrics import roc_auc_score
import common

name = sys.argv[1]
t0 = time.time()
r0 = common.rss_mb()
model = common.get(name)
rss = common.rss_mb() - r0
langs_ok = getattr(model, "langs", None)
res = {"model": name, "rss_mb_after_load": round(rss, 1)}

docs = common.wmt_docs()
for chars in (200, 1000):
    texts = [common.lead(d["title"], d["text"], chars) for d in docs]
    E = np.concatenate([model.encode(texts[i:i + 16]) for i in range(0, len(texts), 16)])
    S = E @ E.T
    per = collections.defaultdict(lambda: [0, 0])
    for i, d in enumerate(docs):
        # candidates: docs of another language (across both test sets)
        mask = np.array([o["lang"] != d["lang"] for o in docs])
        if langs_ok is not None and d["lang"] not in langs_ok:
            mask[:] = False  # no vector -> counted as a miss
        s = np.where(mask, S[i], -np.inf)
        j = int(np.argmax(s)) if mask.any() else -1
        hit = j >= 0 and docs[j]["group"] == d["group"]
        per[d["lang"]][0] += hit; per[d["lang"]][1] += 1
    res[f"wmt_{chars}"] = {l: round(100 * h / n, 1) for l, (h, n) in sorted(per.items())}
    tot = sum(h for h, n in per.values()) / sum(n for h, n in per.values())
    res[f"wmt_{chars}"]["ALL"] = round(100 * tot, 1)

pairs = [p for p in common.semeval_pairs() if p["overall"] <= 1.5 or p["overall"] >= 3.5]
for chars in (250, 1000):
    a = [common.semeval_text(p["text1"], chars) for p in pairs]
    b = [common.semeval_text(p["text2"], chars) for p in pairs]
    Ea = np.concatenate([model.encode(a[i:i + 16]) for i in range(0, len(a), 16)])
    Eb = np.concatenate([model.encode(b[i:i + 16]) for i in range(0, len(b), 16)])
    cos = np.sum(Ea * Eb, axis=1)
    same = np.array([p["overall"] <= 1.5 for p in pairs])
    ok = np.ones(len(pairs), bool)
    if langs_ok is not None:
        ok = np.array([p["lang1"] in langs_ok and p["lang2"] in langs_ok for p in pairs])
    cross = np.array([p["lang1"] != p["lang2"] for p in pairs])
    out = {}
    for tag, sel in (("all", ok), ("cross", ok & cross)):
        y, c = same[sel], cos[sel]
        auc = roc_auc_score(y, c)
        thr = np.quantile(c[~y], 0.97)  # merges <=3% of the clearly different
        rec = float(np.mean(c[y] > thr))
        out[tag] = {"n_same": int(y.sum()), "n_diff": int((~y).sum()), "auc": round(auc, 3),
                    "thr": round(float(thr), 3), "recall@3%": round(100 * rec, 1)}
    res[f"semeval_{chars}"] = out
res["seconds"] = round(time.time() - t0, 1)
json.dump(res, open(Path(__file__).resolve().parent / "results" / f"quality_{name}.json", "w"), indent=1)
print(json.dumps(res))
