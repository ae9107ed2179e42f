import sys, numpy as np, common, e5fast
docs = common.wmt_docs()[::20]
texts = [common.lead(d["title"], d["text"], 200) for d in docs]
R = e5fast.get("e5np").encode(texts)
for name in sys.argv[1:]:
    E = e5fast.get(name).encode(texts); c = np.sum(E * R, 1)
    print(name, "cos vs fp32: mean %.4f min %.4f" % (c.mean(), c.min()))
