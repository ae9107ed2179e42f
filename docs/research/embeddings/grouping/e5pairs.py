# The pairs of gold groups of translated_news files that e5 alone (1,000 characters, the output
# of e5long.py) puts at or above a cosine, with a title of each, strongest first: to read which
# are one story told twice and which are not (third session of 2026-12-06).
# usage: e5pairs.py e5long_128_1000.pkl newstest2010,wmttest2024 0.88
import pickle, sys
sys.path.insert(0, "/work/main")
out, ids, SV = pickle.load(open(sys.argv[1], "rb"))
thr = float(sys.argv[3])
for name in sys.argv[2].split(","):
    docs, prep = pickle.load(open(f"/tmp/prep_nm/{name}.pkl", "rb"))
    groups, langs, V = out[name]
    S = V @ V.T
    best = {}
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            if groups[i] != groups[j] and S[i, j] >= thr:
                key = tuple(sorted((groups[i], groups[j])))
                if key not in best or S[i, j] > best[key][0]:
                    best[key] = (S[i, j], i, j)
    print(f"== {name}: {len(best)} pairs of gold groups at >= {thr}")
    for c, i, j in sorted(best.values(), reverse=True):
        title = lambda k: (prep[k].title or prep[k].text[:90])[:90]
        print(f"  {c:.3f} [{langs[i]}] {title(i)}\n        [{langs[j]}] {title(j)}")
