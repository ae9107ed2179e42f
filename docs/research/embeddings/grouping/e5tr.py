import pickle, sys, os, dataclasses
sys.path.insert(0, "/work/main")
import agents.embedding as E, agents.grouping as G
from tools import eval_translations as T
from tools.flores import DEFAULT, parallel
mode = sys.argv[1]
pk = "/tmp/s30/tr_prep.pkl"
cache = pickle.load(open(pk, "rb")) if os.path.exists(pk) else {}
orig = T._prepare
def prep(pipeline, lang, texts):
    if lang not in cache:
        cache[lang] = orig(pipeline, lang, texts)
    return cache[lang]
T._prepare = prep
if mode == "e5":
    pk5 = "/tmp/s30/tr_e5.pkl"
    vec = pickle.load(open(pk5, "rb")) if os.path.exists(pk5) else None
    if vec is None:
        if not cache:
            T.measure(parallel(DEFAULT), 10, None); pickle.dump(cache, open(pk, "wb"))
        sys.path.insert(0, "/work/main/docs/research/embeddings"); import e5fast
        m = e5fast.get("e5ort-int8pc-T64"); vec = {}
        for lang, arts in cache.items():
            ids = list(arts); V = m.encode([E.lead(arts[i].title, arts[i].text, 200) for i in ids])
            vec.update({i: E.encode_vector(v) for i, v in zip(ids, V)})
        pickle.dump(vec, open(pk5, "wb"))
    cache = {l: {i: dataclasses.replace(a, embedding=vec[i]) for i, a in arts.items()} for l, arts in cache.items()}
    E.DIM = 384; G.DIM = 384
A = [float(sys.argv[2]) if len(sys.argv) > 2 else 0.0]
on, ona = G.MemberVectors.near, G.MemberVectors.near_among
def cal(d, a): return {k: (v - a) / (1 - a) for k, v in d.items()}
G.MemberVectors.near = lambda self, v, m: cal(on(self, v, A[0] + m * (1 - A[0])), A[0])
G.MemberVectors.near_among = lambda self, v, r, m: cal(ona(self, v, r, A[0] + m * (1 - A[0])), A[0])
from streams.settings import Settings
st = Settings()
if len(sys.argv) > 3: st = dataclasses.replace(st, event_min_cosine=float(sys.argv[3]))
rows = T.measure(parallel(DEFAULT), 10, None, st)
if not os.path.exists(pk): pickle.dump(cache, open(pk, "wb"))
tot = T.total(list(rows.values()))
print(mode, sys.argv[2:], f"joined {tot['joined']:.4f} astray {tot['astray']:.4f}")
pickle.dump(rows, open(f"/tmp/s30/tr_rows_{mode}_{'_'.join(sys.argv[2:])}.pkl", "wb"))
