import json, glob
L = ["cs","de","en","es","he","hi","is","ja","ru","uk","zh","ALL"]
print("model".ljust(22), "wmt200:", " ".join(l[:3].rjust(5) for l in L))
for f in sorted(glob.glob("results/quality_*.json")):
    r = json.load(open(f))
    for c in (200, 1000):
        print((r["model"] if c == 200 else "").ljust(22), f"wmt{c}:".ljust(7), " ".join(f"{r[f'wmt_{c}'].get(l, float('nan')):5.1f}" for l in L))
    for c in (250, 1000):
        s = r[f"semeval_{c}"]
        print("".ljust(22), f"semeval{c}: all AUC {s['all']['auc']:.3f} R@3% {s['all']['recall@3%']:5.1f} | cross AUC {s['cross']['auc']:.3f} R@3% {s['cross']['recall@3%']:5.1f} (n={s['cross']['n_same']}/{s['cross']['n_diff']})")
