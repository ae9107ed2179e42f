import pickle, sys, os, dataclasses, time
sys.path.insert(0, "/work/main")
sys.path.insert(0, "/work/main/docs/research/embeddings"); import e5fast
from agents.embedding import lead, encode_vector
m = e5fast.get("e5ort-int8pc-T64")
chars = int(sys.argv[1]) if len(sys.argv) > 1 else 200
t0 = time.process_time(); n = 0
for f in sorted(os.listdir("/tmp/prep_nm")):
    docs, prep = pickle.load(open(f"/tmp/prep_nm/{f}", "rb"))
    texts = [lead(a.title, a.text, chars) for a in prep]
    V = m.encode(texts); n += len(texts)
    prep = [dataclasses.replace(a, embedding=encode_vector(v)) for a, v in zip(prep, V)]
    pickle.dump((docs, prep), open(f"/tmp/prep_e5/{f}", "wb"))
    print(f, len(prep), flush=True)
print("cpu ms/doc", 1000 * (time.process_time() - t0) / n)
