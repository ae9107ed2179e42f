"""The pipeline: the stages article by article, one embedding call for a batch, grouping, the
stage timer."""

from __future__ import annotations

import base64
from dataclasses import replace
from importlib.resources import files
from typing import Any

import numpy as np
import orjson
import pytest

from agents import embedding, evidence, language, pipeline, prepare
from agents.boilerplate_learn import ChromeMemory
from agents.embedding import Embedder, decode_vector
from agents.pipeline import Pipeline, StageClock
from streams.records import Prepared, Rejected, dumps
from tests.texts import CHROME
from tests.texts import source_article as article

OPTIONS = prepare.PrepareOptions(max_message_bytes=100_000, lang_min_confidence=0.25)
OFF = replace(OPTIONS, embedding="off")
NOW = 1_700_000_000.0
CZECH = {
    "title": "Praha otevřela nový most přes Vltavu",
    "text": "Nový most přes Vltavu v Praze byl v sobotu otevřen pro pěší a cyklisty. "
    "Stavba trvala tři roky a stála přes dvě miliardy korun, uvedl magistrát.",
}


@pytest.fixture(scope="module")
def model() -> language.Predictor:
    return language.load_model(OPTIONS.lang_second)


def run(
    options: prepare.PrepareOptions,
    model: language.Predictor,
    messages: list[tuple[bytes | None, bytes | None]],
    sources: ChromeMemory | None = None,
) -> list[Prepared | Rejected]:
    """The messages through a pipeline of ``options`` on the (shared) ``model``."""
    embedder = options.embedder()
    return Pipeline(options, Pipeline.create(OFF).grouping, model, embedder).prepare(
        messages, NOW, sources
    )


def samples() -> list[tuple[bytes, bytes]]:
    """The bundled samples (en, de, fr, es, it, pl, nl, pt, ru), a Czech article (no vector)
    and a message that is not JSON, as (value, key)."""
    text = files("cli").joinpath("samples/articles.jsonl").read_text(encoding="utf-8")
    docs = [orjson.loads(line) for line in text.splitlines() if line.strip()]
    docs.append({"id": "cs-1", **CZECH})
    messages = [(orjson.dumps(doc), doc["id"].encode()) for doc in docs]
    return [*messages[:4], (b"{not json", b"bad"), *messages[4:]]


def int8(encoded: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(encoded), dtype=np.int8).astype(int)


def test_a_batch_gives_what_one_at_a_time_gives(model: language.Predictor) -> None:
    """Every field alike; the vectors within one int8 step (BLAS sums a batch in another
    order: floats move by ~4e-7; most vectors come out byte-identical)."""
    messages = samples()
    single = [run(OPTIONS, model, [m])[0] for m in messages]
    batch = run(OPTIONS, model, messages)
    assert len(batch) == len(single) == len(messages)
    langs = set()
    for one, many in zip(single, batch, strict=True):
        if isinstance(one, Rejected):
            assert many == one
            continue
        assert isinstance(many, Prepared)
        assert replace(many, embedding=None) == replace(one, embedding=None)
        if one.lang not in embedding.LANGUAGES:
            assert one.embedding is None and many.embedding is None
            continue
        assert one.embedding is not None and many.embedding is not None
        assert np.abs(int8(one.embedding) - int8(many.embedding)).max() <= 1
        assert float(decode_vector(one.embedding) @ decode_vector(many.embedding)) > 0.99999
        langs.add(one.lang)
    assert {"en", "de", "fr", "es", "it", "ru"} <= langs
    assert sum(isinstance(o, Rejected) for o in batch) == 1
    assert [o.lang for o in batch if isinstance(o, Prepared)].count("cs") == 1


def test_a_batch_of_one_is_prepare(model: language.Predictor) -> None:
    for value, key in samples()[:3]:
        [out] = run(OPTIONS, model, [(value, key)])
        assert out == run(OPTIONS, model, [(value, key)])[0]


def test_within_a_batch_each_article_learns_from_the_ones_before(
    model: language.Predictor,
) -> None:
    messages = [(article(i), None) for i in range(11)]
    alone_memory = ChromeMemory({}, checkpoint_every=1)
    alone = [run(OFF, model, [m], alone_memory)[0] for m in messages]
    backend: dict[str, Any] = {}
    batch = run(OFF, model, messages, ChromeMemory(backend, 1))
    assert batch == alone
    assert backend == alone_memory.backend
    assert isinstance(batch[0], Prepared) and all(c in batch[0].text for c in CHROME)
    assert isinstance(batch[-1], Prepared) and set(CHROME) <= set(batch[-1].boilerplate_removed)


def test_a_failing_article_in_the_middle_is_rejected_alone(
    model: language.Predictor, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = samples()[:3]
    expected = run(OPTIONS, model, messages)
    extract = evidence.extract_evidence

    def failing(title: str, text: str, lang: str) -> Any:
        if lang == "de":
            raise RuntimeError("boom")
        return extract(title, text, lang)

    monkeypatch.setattr(pipeline.evidence, "extract_evidence", failing)
    first, middle, last = run(OPTIONS, model, messages)
    assert middle == Rejected(
        "prepare", "internal error: RuntimeError: boom", "builtins.RuntimeError"
    )
    assert isinstance(first, Prepared) and isinstance(last, Prepared)
    assert first.embedding and last.embedding
    assert isinstance(expected[0], Prepared) and isinstance(expected[2], Prepared)
    assert (first.id, last.id) == (expected[0].id, expected[2].id)


class FlakyEmbedder(Embedder):
    """The model of ``real``, failing on any batch of more than one text and on a text that
    mentions ``poison``."""

    def __init__(self, real: Embedder, poison: str) -> None:
        super().__init__()
        self.real = real
        self.poison = poison
        self.calls: list[int] = []

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        if len(texts) > 1 or any(self.poison in t for t in texts):
            raise RuntimeError("model failed")
        return self.real.embed_texts(texts)


def test_a_failing_batch_embedding_falls_back_to_one_by_one(
    model: language.Predictor, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = samples()[:4]
    unembedded = run(OFF, model, messages)
    titles = [o.title for o in unembedded if isinstance(o, Prepared)]
    assert len(titles) == 4 and all(titles)
    real = OPTIONS.embedder()
    assert real is not None
    flaky = FlakyEmbedder(real, poison=str(titles[2]))
    monkeypatch.setattr(prepare, "default_embedder", lambda: flaky)
    out = run(OPTIONS, model, messages)
    assert flaky.calls == [4, 1, 1, 1, 1]
    assert out[2] == Rejected(
        "prepare", "internal error: RuntimeError: model failed", "builtins.RuntimeError"
    )
    for i in (0, 1, 3):
        alone = Pipeline(OPTIONS, Pipeline.create(OFF).grouping, model, real).embed(
            [unembedded[i]]
        )[0]
        assert isinstance(alone, Prepared) and alone.embedding and out[i] == alone


def test_the_stage_timer_sees_every_stage_and_the_output_is_unchanged(
    model: language.Predictor,
) -> None:
    """The bench's hook: every stage of an article that goes all the way is timed, and timing
    changes nothing the pipeline makes."""
    messages = [(source_article_bytes, None) for source_article_bytes in (article(1), article(2))]
    clock = StageClock()
    base = Pipeline.create(OPTIONS)
    timed = Pipeline(OPTIONS, base.grouping, model, OPTIONS.embedder(), timer=clock)
    plain = Pipeline(OPTIONS, base.grouping, model, OPTIONS.embedder())
    sources = ChromeMemory({}, 1)
    out = timed.prepare(messages, NOW, sources)
    assert out == plain.prepare(messages, NOW, ChromeMemory({}, 1))
    grouper = timed.new_grouper()
    for o in out:
        assert isinstance(o, Prepared)
        timed.assign(grouper, o)
    assert set(clock.spent) == set(pipeline.STAGES)
    assert all(seconds > 0.0 for seconds in clock.spent.values()), clock.spent


def test_a_record_that_is_not_prepared_is_a_grouping_dead_letter(
    model: language.Predictor,
) -> None:
    p = Pipeline(OFF, Pipeline.create(OFF).grouping, model, None)
    grouper = p.new_grouper()
    assert p.group_record(grouper, b"[1]") == Rejected(
        "grouping",
        "malformed news.prepared record: not a JSON object: list",
        "streams.records.RecordError",
    )
    [good] = p.prepare([(article(3), None)], NOW)
    assert isinstance(good, Prepared)
    outcome = p.group_record(grouper, dumps(good))
    assert not isinstance(outcome, Rejected)
    assert outcome[0] == good and outcome[1].state.event_key


def test_a_plain_text_share_prompt_goes_by_meaning_in_any_language_of_the_model(
    model: language.Predictor,
) -> None:
    body = (
        "Die Bundesregierung hat am Dienstag angekündigt, den Mindestlohn im nächsten Jahr zu "
        "erhöhen, nach monatelangen Gesprächen mit Gewerkschaften und Arbeitgebern.\n\n"
        "Die Opposition kritisierte den Schritt als zu zaghaft und forderte eine deutlichere "
        "Erhöhung noch in diesem Jahr."
    )
    doc = {"id": "de-share", "title": "Mindestlohn steigt", "text": body}
    prompt = "Teilen Sie diesen Artikel"  # #15: no phrase table of ours holds it
    with_prompt = {**doc, "id": "de-share-2", "text": f"{body}\n\n{prompt}"}
    plain, prompted = run(
        OPTIONS, model, [(orjson.dumps(d), d["id"].encode()) for d in (doc, with_prompt)]
    )
    assert isinstance(plain, Prepared) and isinstance(prompted, Prepared)
    assert prompted.text == plain.text and prompt not in prompted.text
    assert prompt in prompted.boilerplate_removed
    # without the embedding model there is no test by meaning: the prompt stays
    (kept,) = run(OFF, model, [(orjson.dumps(with_prompt), b"k")])
    assert isinstance(kept, Prepared) and kept.text.endswith(prompt)


def test_prepare_takes_what_grouping_reads_of_the_text(model: language.Predictor) -> None:
    """Paragraph prints and words are taken in prepare (which scales with partitions), as
    grouping would take them; no words when grouping's words test is off."""
    from agents.grouping import paragraph_prints
    from agents.topic_words import topic_words

    prepared = [o for o in run(OFF, model, samples()) if isinstance(o, Prepared)]
    assert len(prepared) == len(samples()) - 1  # all but the message that is not JSON
    for one in prepared:
        assert one.paras == paragraph_prints(one.text) and one.paras
        assert one.words == topic_words(one.text) and one.words
    grouping = replace(Pipeline.create(OFF).grouping, words_min_cosine=0.0)
    [value, key] = samples()[0]
    [off] = Pipeline(OFF, grouping, model, None).prepare([(value, key)], NOW)
    assert isinstance(off, Prepared) and off.words is None and off.paras


def test_a_text_delivered_as_markup_or_with_other_separators_is_read_as_plain_text(
    model: language.Predictor,
) -> None:
    """#15: an RSS body (an HTML fragment, references), a word processor's U+2029 and an
    escaped title give the article the plain-text delivery gives (``tools.delivered_text``)."""
    paragraphs = [
        "Die Bundesregierung hat am Dienstag angekündigt, den Mindestlohn im nächsten Jahr zu "
        "erhöhen, nach monatelangen Gesprächen mit Gewerkschaften und Arbeitgebern.",
        "Die Opposition kritisierte den Schritt als zu zaghaft und forderte eine deutlichere "
        "Erhöhung noch in diesem Jahr: „Das reicht nicht“, sagte die Fraktionschefin.",
        "Die Arbeitgeber warnten vor höheren Preisen & weniger Stellen im Handel.",
    ]
    escaped = [
        p.replace("&", "&amp;").replace("„", "&bdquo;").replace("“", "&#8220;") for p in paragraphs
    ]
    forms = {
        "plain": ("Mindestlohn steigt & Opposition klagt", "\n\n".join(paragraphs)),
        "fragment": (
            "Mindestlohn steigt &amp; <b>Opposition</b> klagt",
            "".join(f"<p>{p}</p>" for p in escaped) + "<script>track();</script>",
        ),
        "u2029": ("Mindestlohn steigt & Opposition klagt", "\u2029".join(paragraphs)),
        "form feeds": ("Mindestlohn steigt & Opposition klagt", "\x0c\x0c".join(paragraphs)),
        "markdown": (
            "Mindestlohn steigt & Opposition klagt",
            "\n\n".join(
                p.replace("Bundesregierung", "[Bundesregierung](https://example.com/b)")
                .replace("Opposition", "**Opposition**")
                .replace("Arbeitgeber ", "[Arbeitgeber](/arbeitgeber) ")
                for p in paragraphs
            )
            + "\n\n![Ein Bild](https://example.com/i.jpg)",
        ),
        # a crawler that read the UTF-8 as Windows-1252
        "mojibake": (
            "Mindestlohn steigt & Opposition klagt",
            "\n\n".join(paragraphs).encode("utf-8").decode("cp1252", errors="ignore"),
        ),
    }
    docs = [{"id": k, "title": t, "text": x} for k, (t, x) in forms.items()]
    out = run(OFF, model, [(orjson.dumps(d), d["id"].encode()) for d in docs])
    assert all(isinstance(o, Prepared) for o in out)
    plain = out[0]
    assert isinstance(plain, Prepared) and plain.text == "\n\n".join(paragraphs)
    # plain text a crawler put in ``html`` (no tag at all) is read as the plain text it is
    (in_html,) = run(
        OFF,
        model,
        [(orjson.dumps({**docs[0], "id": "h", "html": docs[0]["text"], "text": None}), b"h")],
    )
    for other in (*out[1:], in_html):
        assert isinstance(other, Prepared)
        assert (other.text, other.title, other.lang, other.paras, other.evidence) == (
            plain.text, plain.title, plain.lang, plain.paras, plain.evidence,
        ), other.id  # fmt: skip


def test_a_whole_page_in_the_text_field_is_read_as_a_page(model: language.Predictor) -> None:
    body = "".join(
        f"<p>{s}</p>"
        for s in (
            "Die Bundesregierung hat am Dienstag angekündigt, den Mindestlohn im nächsten Jahr "
            "zu erhöhen, nach monatelangen Gesprächen mit Gewerkschaften und Arbeitgebern.",
            "Die Opposition kritisierte den Schritt als zu zaghaft und forderte eine "
            "deutlichere Erhöhung noch in diesem Jahr, wie die Fraktionschefin sagte.",
        )
    )
    page = (
        "<!DOCTYPE html><html><head><title>Mindestlohn steigt | Zeitung</title></head><body>"
        "<nav><ul><li><a href='/'>Startseite</a></li><li><a href='/p'>Politik</a></li></ul>"
        f"</nav><article><h1>Mindestlohn steigt</h1>{body}</article>"
        "<footer><a href='/i'>Impressum</a> <a href='/d'>Datenschutz</a></footer></body></html>"
    )
    as_html, as_text = run(
        OFF,
        model,
        [
            (orjson.dumps({"id": "h", "html": page}), b"h"),
            (orjson.dumps({"id": "t", "text": page}), b"t"),
        ],
    )
    assert isinstance(as_html, Prepared) and isinstance(as_text, Prepared)
    assert as_text.text == as_html.text and as_text.title == as_html.title
    assert "Startseite" not in as_text.text and "<p>" not in as_text.text
    assert "Die Bundesregierung hat am Dienstag" in as_text.text
    # a page read with the wrong charset comes out repaired, as its text does
    misread = page.encode("utf-8").decode("cp1252", errors="ignore")
    assert "Ã¤" in misread
    (repaired,) = run(OFF, model, [(orjson.dumps({"id": "m", "html": misread}), b"m")])
    assert isinstance(repaired, Prepared) and repaired.text == as_html.text


def test_a_sites_name_its_host_does_not_spell_is_learned_off_its_titles(
    model: language.Predictor,
) -> None:
    headlines = [
        "习近平会见美国总统",
        "国务院召开常务会议",
        "全国秋粮收购进展顺利",
        "北京发布暴雨预警",
        "上海港集装箱吞吐量创新高",
        "广东推进制造业转型升级",
        "西藏公路建设取得进展",
    ]
    body = (
        "新华社北京电 记者从有关部门获悉，{0}。"
        "有关方面表示，将继续做好相关工作，确保各项措施落实到位。"
    )
    messages = [
        (
            orjson.dumps(
                {
                    "id": f"x{i}",
                    "url": f"https://www.xinhuanet.com/politics/{i}.htm",
                    "title": f"{headline}_新华网",
                    "text": body.format(headline),
                }
            ),
            None,
        )
        for i, headline in enumerate(headlines)
    ]
    out = run(OFF, model, messages, ChromeMemory({}))
    assert all(isinstance(o, Prepared) for o in out)
    titles = [o.title for o in out if isinstance(o, Prepared)]
    # the first four teach the source its chrome ("新华网" on xinhuanet.com: not the host's
    # spelling of it), the rest lose it, and it joins the removed chrome
    assert titles[:4] == [f"{h}_新华网" for h in headlines[:4]]
    assert titles[4:] == headlines[4:]
    assert all("新华网" in o.boilerplate_removed for o in out[4:] if isinstance(o, Prepared))


def test_a_title_part_that_ends_few_of_a_sources_titles_stays(model: language.Predictor) -> None:
    def message(i: int) -> tuple[bytes, None]:
        title = (
            f"Council meets on plan {i} | Opinion" if i % 3 == 0 else f"Council meets on plan {i}"
        )
        text = f"The council of Kronberg met on Tuesday to discuss plan number {i}. " * 3
        return orjson.dumps(
            {"id": f"o{i}", "source": "Daily Planet", "title": title, "text": text}
        ), None

    out = run(OFF, model, [message(i) for i in range(16)], ChromeMemory({}))
    titles = [o.title for o in out if isinstance(o, Prepared)]
    # "Opinion" ends a third of the source's titles (five by the 13th): a section, not chrome
    assert titles[12] == "Council meets on plan 12 | Opinion"
    assert titles[15] == "Council meets on plan 15 | Opinion"
