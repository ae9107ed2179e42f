import pickle, sys, numpy as np
out, ids, SV = pickle.load(open(sys.argv[1], "rb"))
rows, prepared = pickle.load(open("/tmp/s30/semeval_prep.pkl", "rb"))
idx = {i: k for k, i in enumerate(ids)}
same, diff = [], []
for r in rows:
    a, b = idx.get(r["id1"]), idx.get(r["id2"])
    if a is None or b is None or r["id1"] == r["id2"]: continue
    c = float(SV[a] @ SV[b])
    if r["overall"] <= 1.5: same.append(c)
    elif r["overall"] >= 3.5: diff.append(c)
same, diff = np.array(same), np.array(diff)
for thr in (0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92):
    line = f"thr {thr:.2f} semeval same {np.mean(same>=thr):.3f} diff {np.mean(diff>=thr):.3f} |"
    for name, (groups, langs, V) in out.items():
        S = V @ V.T; g = np.array(groups); n = len(g)
        iu = np.triu_indices(n, 1)
        sg = (g[:, None] == g[None, :])[iu]; c = S[iu]
        fp = int(np.sum((c >= thr) & ~sg)); tp = np.mean(c[sg] >= thr) if sg.any() else 0
        line += f" {name[-4:]}:{fp}/{tp:.2f}"
    print(line)
