import pickle, sys, os, dataclasses, itertools
sys.path.insert(0, "/work/main")
import agents.embedding as E, agents.grouping as G
from streams.settings import load_settings
from tools import eval_events as EV
s = load_settings()
path = "/work/shared/data/events/semeval2022_task8_train_pairs.jsonl"
pk = "/tmp/s30/semeval_prep.pkl"
if not os.path.exists(pk):
    rows, prepared = EV.pair_articles(s, path)
    pickle.dump((rows, prepared), open(pk, "wb"))
rows, prepared = pickle.load(open(pk, "rb"))
mode = sys.argv[1]
if mode == "e5":
    pk5 = "/tmp/s30/semeval_e5.pkl"
    if not os.path.exists(pk5):
        sys.path.insert(0, "/work/main/docs/research/embeddings"); import e5fast
        m = e5fast.get("e5ort-int8pc-T64"); ids = list(prepared)
        V = m.encode([E.lead(prepared[i].title, prepared[i].text, int(os.environ.get("CHARS", 200))) for i in ids])
        pickle.dump({i: E.encode_vector(v) for i, v in zip(ids, V)}, open(pk5, "wb"))
    vec = pickle.load(open(pk5, "rb"))
    prepared = {i: dataclasses.replace(a, embedding=vec[i]) for i, a in prepared.items()}
    E.DIM = 384; G.DIM = 384
A = [0.0]
on, ona = G.MemberVectors.near, G.MemberVectors.near_among
def cal(d, a): return {k: (v - a) / (1 - a) for k, v in d.items()}
G.MemberVectors.near = lambda self, v, m: cal(on(self, v, A[0] + m * (1 - A[0])), A[0])
G.MemberVectors.near_among = lambda self, v, r, m: cal(ona(self, v, r, A[0] + m * (1 - A[0])), A[0])
grid = list(itertools.product(*[[float(x) for x in g.split(",")] for g in sys.argv[2:6]]))
for a, mc, sh, ov in grid:
    A[0] = a
    o = dataclasses.replace(G.GroupingOptions.from_settings(s), min_cosine=mc, cosine_min_shared=sh, cosine_min_overlap=ov)
    g = G.Grouper(o)
    keys = {d: g.assign_article(x, match=False).event_key for d, x in prepared.items()}
    r = EV.pair_counts(rows, prepared, lambda x, y: g.pair_score(keys[x.id], y) > 0.0)
    print(mode, dict(a=a, mc=mc, sh=sh, ov=ov), f"same {r['same_story']['all']['joined']:.3f} diff {r['different']['all']['joined']:.3f} | cross same {r['same_story']['cross-lingual']['joined']:.3f} diff {r['different']['cross-lingual']['joined']:.3f}" , flush=True)
