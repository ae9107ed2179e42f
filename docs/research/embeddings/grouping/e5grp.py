import pickle, sys, os, dataclasses, itertools
sys.path.insert(0, "/work/main")
import agents.embedding as E, agents.grouping as G
PREP = os.environ.get("PREP", "/tmp/prep_e5")
if PREP != "/tmp/prep_nm":
    E.DIM = 384; G.DIM = 384
from tools.eval_grouping import score, resolved
from agents.grouping import Grouper, GroupingOptions
from agents.evidence import extract_evidence
from agents.pipeline import EVIDENCE_CHARS
from streams.settings import load_settings
s = load_settings()
A = [0.0]
on, ona = G.MemberVectors.near, G.MemberVectors.near_among
def cal(d, a): return {k: (v - a) / (1 - a) for k, v in d.items()}
G.MemberVectors.near = lambda self, v, m: cal(on(self, v, A[0] + m * (1 - A[0])), A[0])
G.MemberVectors.near_among = lambda self, v, r, m: cal(ona(self, v, r, A[0] + m * (1 - A[0])), A[0])
data = {}
for name in sorted(f[:-4] for f in os.listdir(PREP) if f.endswith(".pkl")):
    docs, prep = pickle.load(open(f"{PREP}/{name}.pkl", "rb"))
    prep = [dataclasses.replace(a, evidence=extract_evidence(a.title or "", a.text[:EVIDENCE_CHARS], a.lang).to_list()) for a in prep]
    data[name] = (docs, prep)
grid = [dict(zip(("a", "min_cosine", "cosine_min_shared"), p)) for p in itertools.product(*[[float(x) for x in g.split(",")] for g in sys.argv[1:4]])]
for p in grid:
    A[0] = p["a"]
    o = dataclasses.replace(GroupingOptions.from_settings(s), min_cosine=p["min_cosine"], cosine_min_shared=p["cosine_min_shared"])
    out = []
    for name, (docs, prep) in data.items():
        by = {x.doc_id: x for x in docs}
        g = Grouper(o)
        pred = resolved(g, {a.id: g.assign_article(a) for a in prep})
        r = score({x: by[x].group for x in pred}, pred, {x: by[x].lang for x in pred})
        out.append(r["pairwise"]["f1"])
    print(p, f"mean {sum(out)/len(out):.4f}", " ".join(f"{x:.4f}" for x in out), flush=True)
