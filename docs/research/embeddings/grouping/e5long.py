import pickle, sys, os, json, glob, itertools, numpy as np
sys.path.insert(0, "/work/main"); sys.path.insert(0, "/work/main/docs/research/embeddings")
import e5fast
chars = int(sys.argv[2])
from agents.embedding import lead
m = e5fast.get(f"e5ort-int8pc-T{int(sys.argv[1])}")
out = {}
for f in sorted(glob.glob("/tmp/prep_nm/*.pkl")):
    docs, prep = pickle.load(open(f, "rb"))
    by = {d.doc_id: d for d in docs}
    V = m.encode([lead(a.title, a.text, chars) for a in prep])
    out[os.path.basename(f)[:-4]] = ([by[a.id].group for a in prep], [a.lang for a in prep], V)
    print(f, flush=True)
rows, prepared = pickle.load(open("/tmp/s30/semeval_prep.pkl", "rb"))
ids = list(prepared)
SV = m.encode([lead(prepared[i].title, prepared[i].text, chars) for i in ids])
pickle.dump((out, ids, SV), open(f"/tmp/s30/e5long_{sys.argv[1]}_{chars}.pkl", "wb"))
