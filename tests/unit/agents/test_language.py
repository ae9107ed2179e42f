"""The language stage: script decisions, short input, und, macro-languages, mixed articles."""

from __future__ import annotations

import orjson
import pytest

from agents import language, prepare
from agents.language import (
    TRIGRAM_CONFIDENCE,
    Detector,
    Language,
    LanguageShare,
    detect,
    normalise_code,
)
from agents.pipeline import Pipeline
from streams.records import Prepared
from tests.texts import read_seed

MIN = 0.5

EN = (
    "The government announced on Tuesday that it would raise the minimum wage next year, "
    "after months of talks with unions and employers about the rising cost of living."
)
DE = (
    "Die Bundesregierung hat am Dienstag angekündigt, den Mindestlohn im nächsten Jahr zu "
    "erhöhen, nach monatelangen Gesprächen mit Gewerkschaften und Arbeitgebern."
)
FR = (
    "Le gouvernement a annoncé mardi qu'il augmenterait le salaire minimum l'année prochaine, "
    "après des mois de discussions avec les syndicats et le patronat."
)


@pytest.fixture(scope="module")
def detector() -> Detector:
    return language.load_model()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Η κυβέρνηση ανακοίνωσε νέα μέτρα", "el"),
        ("საქართველოს მთავრობამ განაცხადა", "ka"),
        ("Հայաստանի կառավարությունը հայտարարեց", "hy"),
        ("รัฐบาลประกาศมาตรการใหม่", "th"),
        ("정부는 새로운 조치를 발표했다", "ko"),
        ("政府は新しい対策を発表した", "ja"),
        ("政府宣布了新的措施", "zh"),
        ("ממשלת ישראל הודיעה היום על צעדים חדשים", "he"),
        ("ශ්‍රී ලංකා රජය", "si"),
    ],
)
def test_the_script_decides(detector: Detector, text: str, lang: str) -> None:
    assert detect(detector, None, text, MIN).lang == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Buffalo τον", "el"),  # FLORES-200 dev word pairs, und before
        ("Blake ប្លេក", "km"),
        ("83km/h의 바람이", "ko"),
        ("жылы Turkish", "kk"),
        ("UNESCOৰ বিশ্ব", "as"),
    ],
)
def test_a_name_in_latin_letters_does_not_rule_out_the_other_script(
    detector: Detector, text: str, lang: str
) -> None:
    # the Latin letters are the most, but a second script with a tenth of them or more keeps
    # its languages among the candidates: fastText reads the pair as lid.176 does
    assert detect(detector, None, text, MIN).lang == lang


def test_a_word_of_another_script_in_a_latin_sentence_leaves_it_latin(detector: Detector) -> None:
    text = "Een bekende Hebreeuwse naam die begint met de gimel is Gideon : גדעון."
    assert detect(detector, None, text, MIN).lang == "nl"


def test_a_lone_greek_word_is_greek(detector: Detector) -> None:
    result = detect(detector, None, "Αθήνα", MIN)
    assert result == Language("el", 1.0, None, (LanguageShare("el", 1.0),))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bundesregierung beschließt neues Klimagesetz", "de"),  # a headline
        ("Le gouvernement démissionne", "fr"),
        ("the weather", "en"),  # a word pair
        ("Parlamento aprueba la reforma laboral", "es"),
        ("Rząd przyjął nową ustawę o podatkach.", "pl"),  # one sentence
        ("Правительство объявило о новых мерах поддержки.", "ru"),
    ],
)
def test_short_input_gets_a_language(detector: Detector, text: str, lang: str) -> None:
    result = detect(detector, None, text, MIN)
    assert result.lang == lang
    assert result.confidence >= MIN


def test_a_headline_alone_is_prepared_not_dead_lettered(detector: Detector) -> None:
    value = orjson.dumps({"id": "h1", "text": "Bundesregierung beschließt neues Klimagesetz"})
    options = prepare.PrepareOptions(max_message_bytes=1_000_000, lang_min_confidence=MIN)
    stages = Pipeline(options, Pipeline.create(options).grouping, detector, None)
    [out] = stages.prepare([(value, b"h1")], 1_700_000_000.0)
    assert isinstance(out, Prepared)
    assert out.lang == "de"


@pytest.mark.parametrize(
    "text", ["12345 678", "2024-01-15 12:30", "!!! ??? ...", "asdkjh qwpoeiru zzxq", "   "]
)
def test_und_without_evidence(detector: Detector, text: str) -> None:
    assert detect(detector, None, text, MIN).lang == "und"


def test_the_hint_fills_in_for_und_normalised(detector: Detector) -> None:
    assert detect(detector, None, "12345", MIN, hint="nb").lang == "no"
    assert detect(detector, None, "12345", MIN, hint="not a code").lang == "und"
    # A hint never overrides a confident decision.
    assert detect(detector, None, DE, MIN, hint="en").lang == "de"


@pytest.mark.parametrize(
    ("code", "reported"),
    [
        *(("nb", "no"), ("nn", "no"), ("no", "no"), ("NB", "no"), ("de", "de")),
        *(("sr", "hbs"), ("hr", "hbs"), ("bs", "hbs"), ("sh", "hbs"), ("id", "ms"), ("ms", "ms")),
    ],
)
def test_macro_language_codes(code: str, reported: str) -> None:
    assert normalise_code(code) == reported


@pytest.mark.parametrize(
    ("text", "lang", "variant"),
    [
        ("Regjeringen la i dag fram et nytt forslag til statsbudsjett for neste år.", "no", "nb"),
        (
            "Vlada je danas predstavila novi prijedlog državnog proračuna za iduću godinu.",
            "hbs",
            None,
        ),
        ("Влада је данас представила нови предлог буџета за следећу годину.", "hbs", "sr"),
        (
            "Pemerintah hari ini mengumumkan rancangan anggaran negara untuk tahun depan.",
            "ms",
            "id",
        ),
    ],
)
def test_macro_languages_are_reported_as_one(
    detector: Detector, text: str, lang: str, variant: str | None
) -> None:
    result = detect(detector, None, text, MIN)
    assert result.lang == lang
    if variant is not None:
        assert result.variant == variant
    assert result.variant is None or normalise_code(result.variant) == lang


def test_mixed_article_reports_both_languages_with_shares(detector: Detector) -> None:
    body = "\n\n".join([EN, EN.replace("Tuesday", "Monday"), EN.replace("next", "this"), DE, DE])
    result = detect(detector, "Minimum wage to rise", body, MIN)
    shares = {s.lang: s.share for s in result.languages}
    assert result.lang == "en"
    assert result.languages[0].lang == "en"
    assert set(shares) == {"en", "de"}
    assert shares["en"] > shares["de"] > 0.2
    assert sum(shares.values()) == pytest.approx(1.0, abs=0.01)


def test_single_language_article_lists_one_language(detector: Detector) -> None:
    result = detect(detector, "Hausse du salaire minimum", "\n\n".join([FR] * 4), MIN)
    assert result.lang == "fr"
    assert result.languages == (LanguageShare("fr", 1.0),)
    assert not result.title_disagrees


def test_title_in_another_language_is_flagged(detector: Detector) -> None:
    body = "\n\n".join([EN] * 3)
    result = detect(detector, "Die Regierung erhöht den Mindestlohn deutlich", body, MIN)
    assert result.lang == "en"
    assert result.title_lang == "de"
    assert result.title_disagrees


def test_title_in_the_body_language_is_not_flagged(detector: Detector) -> None:
    result = detect(detector, "Government raises the minimum wage", "\n\n".join([EN] * 3), MIN)
    assert result.title_lang == "en"
    assert not result.title_disagrees


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_seeds(detector: Detector, lang: str) -> None:
    seed = read_seed(lang)
    result = detect(detector, seed["title"], seed["text"], MIN)
    assert result.lang == lang
    assert result.confidence > 0.9
    assert [s.lang for s in result.languages] == [lang]
    assert result.languages[0].share > 0.9
    assert not result.title_disagrees


def test_a_bare_fasttext_model_still_works() -> None:
    result = detect(language.load_fasttext(), "Mindestlohn steigt", DE, MIN)
    assert result.lang == "de"


def test_lingua_models_preload_in_a_background_thread(caplog: pytest.LogCaptureFixture) -> None:
    scorer = language.LinguaScorer(["en", "de", "fr"])
    caplog.set_level("INFO", logger="agents.language")
    thread = scorer.preload_in_background()
    assert thread.daemon
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert "Lingua models preloaded" in caplog.text
    scores = scorer.scores("Guten Morgen", ["en", "de", "fr"])
    assert max(scores, key=scores.__getitem__) == "de"


def test_lingua_loads_only_the_languages_it_is_given() -> None:
    scorer = language.LinguaScorer(lingua_languages=["de", "no", "zh"])
    assert scorer.languages == {"de", "no", "zh"}
    assert scorer.knows("nn") and scorer.knows("de") and not scorer.knows("en")
    assert scorer.scores("Guten Morgen", ["en", "de"]) == {}  # one candidate it knows
    # a user's languages narrow the set, never widen it
    assert language.LinguaScorer(["de", "en"], lingua_languages=["de", "fr"]).languages == {"de"}
    empty = language.LinguaScorer(lingua_languages=[])
    assert empty.preload() == 0.0 and empty.preloaded


def test_the_stage_asks_lingua_about_its_declared_languages_only() -> None:
    import lingua

    codes = {normalise_code(lang.iso_code_639_1.name) for lang in lingua.Language.all()}
    assert codes > language.SECOND_LANGUAGES
    second = language.load_model().second
    assert isinstance(second, language.LinguaScorer)
    assert second.languages == language.SECOND_LANGUAGES
    everything = language.load_model("high", None, True).second
    assert isinstance(everything, language.LinguaScorer)
    assert everything.languages == codes


def test_cld2_names_languages_as_the_stage_reports_them() -> None:
    assert language.cld2_language("שלום עולם מה שלומך היום") == "he"  # CLD2 says "iw"
    assert language.cld2_language("Ово је реченица на српском језику.") == "hbs"
    assert language.cld2_language("") is None


def test_a_pair_rule_turns_an_unsure_decision_to_cld2s_answer_among_the_candidates() -> None:
    rules = language.Cld2Rules([("short", "ca", "oc")], {"short": 0.8, "long": 0.8})
    occitan = "Lo govèrn a anonciat uèi que los impòstes montaràn l'an que ven per totes."
    assert language.cld2_language(occitan) == "oc"
    unsure = {"ca": 0.5, "oc": 0.3, "es": 0.2}
    assert rules.revise(occitan, "ca", unsure, "short") == "oc"
    assert rules.revise(occitan, "ca", {"ca": 0.85, "oc": 0.15}, "short") == "ca"  # sure
    assert rules.revise(occitan, "ca", unsure, "long") == "ca"  # no rule in that context
    far = {"ca": 0.4, **{c: 0.1 for c in ("es", "fr", "it", "pt", "en")}, "oc": 0.05}
    assert rules.revise(occitan, "ca", far, "short") == "ca"  # oc not among the best five


# Written for these tests (not taken from a corpus): news-like sentences in two languages
# lid.176 has no label for.
ZULU = (
    "Umongameli wezwe uthe uhulumeni uzosiza abantu abahlala ezindaweni zasemakhaya ukuthola "
    "amanzi ahlanzekile nogesi. Abaholi bemiphakathi bathi sekuyisikhathi eside belinde lezi "
    "zinsizakalo, futhi bafuna ukubona izinyathelo ezibonakalayo. Ungqongqoshe wezezimali "
    "uzokwethula isabelomali esisha ephalamende ngenyanga ezayo."
)
HAUSA = (
    "Shugaban kasar ya ce gwamnati za ta taimaka wa manoma a yankunan karkara domin samun ruwa "
    "mai tsabta da wutar lantarki. Shugabannin al'umma sun ce sun dade suna jiran wadannan "
    "ayyuka, kuma suna son ganin matakai na zahiri. Ministan kudi zai gabatar da sabon kasafin "
    "kudi a majalisa a watan gobe."
)


def test_lid176_languages_are_read_from_the_model_file() -> None:
    known = language.lid176_languages()
    assert {"en", "de", "sw", "yo", "hbs", "ms", "no"} <= known
    assert not {"zu", "ha", "rw", "wo", "nb", "id"} & known  # lacking, or folded (MACRO)


@pytest.mark.parametrize(("text", "lang"), [(ZULU, "zu"), (HAUSA, "ha")])
def test_a_body_in_a_language_lid176_lacks_gets_cld2s_name_for_it(
    detector: Detector, text: str, lang: str
) -> None:
    from dataclasses import replace

    decided = detect(detector, "", text, 0.1)
    assert (decided.lang, decided.languages) == (lang, (LanguageShare(lang, 1.0),))
    assert decided.confidence >= language.BEYOND_MIN_PERCENT / 100
    assert detect(replace(detector, beyond=None), "", text, 0.1).lang != lang  # lid.176 cannot


def test_a_short_text_needs_lingua_to_agree_with_cld2(detector: Detector) -> None:
    from dataclasses import replace

    assert detect(detector, None, ZULU[:150], 0.0).lang == "zu"  # Lingua knows Zulu
    assert detect(detector, None, HAUSA[:150], 0.0).lang != "ha"  # Lingua has no Hausa
    alone = replace(detector, beyond=language.Cld2Beyond(language.lid176_languages()))
    assert detect(alone, None, ZULU[:150], 0.0).lang != "zu"  # CLD2 alone is not enough
    assert detect(detector, None, "Uhulumeni uzosiza", 0.0).lang != "zu"  # too few words


def test_the_title_of_a_body_in_a_language_lid176_lacks_is_in_that_language(
    detector: Detector,
) -> None:
    decided = detect(detector, "Uhulumeni uzosiza abantu basemakhaya", ZULU, 0.1)
    assert (decided.lang, decided.title_lang, decided.title_disagrees) == ("zu", "zu", False)
    # a title fastText is sure of keeps its own language
    sure = detect(detector, "The government will help rural people get clean water", ZULU, 0.1)
    assert (sure.lang, sure.title_lang) == ("zu", "en")


def test_the_beyond_opinion_answers_only_for_languages_lid176_lacks() -> None:
    reach = language.Cld2Beyond(language.lid176_languages())
    assert reach.beyond(ZULU) == ("zu", 0.99)
    assert reach.beyond(EN + " " + EN) is None  # English: lid.176 has a label for it
    assert language.Cld2Beyond(frozenset(), min_percent=101).beyond(ZULU) is None


def test_a_sure_decision_is_not_asked_beyond(detector: Detector) -> None:
    class Never:
        def beyond(self, text: str, short: bool = False) -> tuple[str, float] | None:
            raise AssertionError("asked about a text fastText is sure of")

    from dataclasses import replace

    body = " ".join([EN] * 3)
    assert detect(replace(detector, beyond=Never()), "", body, 0.1).lang == "en"


def test_a_user_naming_the_feeds_languages_turns_the_beyond_opinion_off() -> None:
    assert language.load_model("off").beyond is not None
    assert language.load_model("off", frozenset({"en", "de"})).beyond is None
    assert language.load_model("off", None, beyond=False).beyond is None


def test_the_stage_swaps_the_scores_when_a_pair_rule_applies(detector: Detector) -> None:
    from dataclasses import replace

    class Always:
        def revise(self, text: str, lang: str, scores: dict[str, float], context: str) -> str:
            return "oc" if context == "short" and lang != "oc" else lang

    plain = detect(replace(detector, third=None), None, "Bonjorn", 0.0)
    revised = detect(replace(detector, third=Always()), None, "Bonjorn", 0.0)
    assert revised.lang == "oc" and plain.lang != "oc"
    assert revised.confidence == plain.confidence


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        (
            "De Speler van de Dag is Alex Ovechkin van de Washington Capitals.",
            "De van de is van de",
        ),
        ("Er kam an. Dann sprach Merkel mit Macron.", "Er kam an. Dann sprach mit"),
        ("Путин прибыл в Пекин", "Путин прибыл в"),
        ("プーチン大統領が北京に到着", "プーチン大統領が北京に到着"),
        ("Alex Ovechkin", "Alex"),
        ("Washington", "Washington"),
    ],
)
def test_names_are_left_out_of_the_second_opinion(text: str, rest: str) -> None:
    """Capitalised words not opening a sentence go; uncased scripts and a text that would keep
    no letter stay as they are."""
    assert language.without_names(text) == rest


def test_a_dutch_sentence_full_of_english_names_stays_dutch(detector: Detector) -> None:
    """Lingua read the names as English and outvoted fastText's Dutch (FLORES-200 dev)."""
    text = "De Speler van de Dag is Alex Ovechkin van de Washington Capitals."
    assert detect(detector, None, text, 0.1).lang == "nl"  # the default threshold


def test_a_long_rule_names_the_smaller_language_lid176_still_gives_a_share() -> None:
    """On a body read whole, lid.176's leader x gives way to a candidate y a rule names when
    lid.176 gives y at least the rule's threshold; not below it, not from another leader."""
    rules = {("nl", "li"): 0.01}
    labels = ["__label__nl", "__label__af", "__label__li", "__label__de", "__label__fy"]
    guess = language._Guess("nl", 0.9, {"nl": 0.9, "af": 0.05, "li": 0.03})
    revised = language._long_rule(rules, guess, labels, [0.9, 0.05, 0.03, 0.01, 0.01])
    assert (revised.lang, revised.confidence) == ("li", 0.9)
    assert revised.scores["li"] == 0.9 and revised.scores["nl"] == 0.03
    assert language._long_rule(rules, guess, labels, [0.9, 0.09, 0.005, 0.003, 0.002]) is guess
    other = language._Guess("af", 0.6, {"af": 0.6})  # the stage decided otherwise already
    assert language._long_rule(rules, other, labels, [0.5, 0.3, 0.1, 0.05, 0.05]) is other


def test_a_body_led_below_its_leaders_floor_is_und() -> None:
    """A body read whole that stays lid.176's leader with less than the leader's floor is
    ``und``; at the floor, or taken elsewhere by a rule, or a leader without a floor, it stays."""
    floors = {"en": 0.34}
    labels = ["__label__en", "__label__es", "__label__id"]
    guess = language._Guess("en", 0.37, {"en": 0.37, "es": 0.1})
    low = language._long_floor(floors, guess, labels, [0.12, 0.05, 0.04])
    assert (low.lang, low.confidence) == ("und", 0.0)
    assert language._long_floor(floors, guess, labels, [0.34, 0.05, 0.04]) is guess
    other = language._Guess("so", 0.5, {"so": 0.5})  # a rule took it elsewhere already
    assert language._long_floor(floors, other, labels, [0.12, 0.05, 0.04]) is other
    assert language._long_floor({}, guess, labels, [0.12, 0.05, 0.04]) is guess


def test_an_article_in_none_of_lid176s_languages_is_und_not_english() -> None:
    """Kabyle articles of ten FLORES-200 sentences (lid.176 has no Kabyle and gives English
    0.07-0.17) read as English without the floors are ``und`` with them; English ones stay."""
    from tools.eval_langid import join_sentences, load_samples
    from tools.flores import DEFAULT

    assert DEFAULT.exists(), f"no {DEFAULT} (tests read ../shared/data/langid)"
    by_lang: dict[str, list[str]] = {}
    for article in join_sentences(load_samples(str(DEFAULT), None), 10):
        by_lang.setdefault(article.lang, []).append(article.text)
    model = language.load_model("off", trigrams=False)  # the floors alone (franc: below)
    plain = language.load_model("off", floors=False)
    english_before = [t for t in by_lang["kab"][:10] if detect(plain, None, t, 0.0).lang == "en"]
    assert len(english_before) >= 4
    assert all(detect(model, None, t, 0.0).lang == "und" for t in english_before)
    assert all(detect(model, None, t, 0.0).lang == "en" for t in by_lang["en"][:10])


@pytest.mark.parametrize(
    ("franc", "ours"),
    [("arb", "ar"), ("knc", "kr"), ("tgl", "tl"), ("nob", "no"), ("hrv", "hbs"), ("zsm", "ms"),
     ("src", "sc"), ("kab", "kab"), ("sat", "sat")],
)  # fmt: skip
def test_franc_codes_are_reported_as_ours(franc: str, ours: str) -> None:
    """ISO 639-3 -> ISO 639-1 where one exists, CLDR's macro-language, then our macros."""
    assert language.trigram_code(franc) == ours


def test_franc_names_bodies_lid176_cannot_and_spares_the_rest() -> None:
    """Sardinian and Santali articles of ten FLORES-200 sentences, most of them ``und`` after
    the floors, are named by franc; a near tie is not an answer; English stays English."""
    from tools.eval_langid import join_sentences, load_samples
    from tools.flores import DEFAULT

    assert DEFAULT.exists(), f"no {DEFAULT} (tests read ../shared/data/langid)"
    by_lang: dict[str, list[str]] = {}
    for article in join_sentences(load_samples(str(DEFAULT), None), 10):
        by_lang.setdefault(article.lang, []).append(article.text)
    model = language.load_model("off")
    plain = language.load_model("off", trigrams=False)
    for lang in ("sc", "sat"):
        texts = by_lang[lang][:10]
        before = sum(detect(plain, None, t, 0.0).lang == lang for t in texts)
        after = sum(detect(model, None, t, 0.0).lang == lang for t in texts)
        assert after >= before + 5, (lang, before, after)
    assert all(detect(model, None, t, 0.0).lang == "en" for t in by_lang["en"][:10])
    sardinian = language.body_text(by_lang["sc"][0])
    assert language.TrigramOpinion().name(sardinian) is not None
    assert language.TrigramOpinion(max_second=0.5).name(sardinian) is None  # a close second
    assert language.load_model("off", languages=frozenset({"it", "en"})).trigrams is None


class _Franc:
    """A stand-in for franc with a fixed answer (language, second best's score)."""

    def __init__(self, answer: tuple[str, float] | None, max_second: float = 0.985) -> None:
        self.found, self.max_second = answer, max_second

    def answer(self, text: str) -> tuple[str, float] | None:
        return self.found

    def name(self, text: str) -> tuple[str, float] | None:
        found = self.found
        return None if found is None or found[1] >= self.max_second else found


def test_franc_names_und_and_revises_unsure_bodies_by_its_rules() -> None:
    """An ``und`` body gets franc's answer at its confidence unless a near tie; a body decided
    with less than the ceiling goes to franc's answer where a rule (x, y) holds, not where none
    does, and not when it was sure."""
    und = language._Guess("und", 0.0, {"en": 0.3})
    named = language._by_trigrams(_Franc(("kab", 0.9)), und, "text")
    assert (named.lang, named.confidence, named.beyond) == ("kab", TRIGRAM_CONFIDENCE, True)
    assert language._by_trigrams(_Franc(("kab", 0.99)), und, "text") is und  # a near tie
    assert ("es", "ast") in language.TRIGRAM_RULES
    unsure = language._Guess("es", 0.6, {"es": 0.6, "ast": 0.3})
    revised = language._by_trigrams(_Franc(("ast", 0.99)), unsure, "text")
    assert (revised.lang, revised.confidence) == ("ast", 0.6)
    assert revised.scores["es"] == 0.3
    assert language._by_trigrams(_Franc(("gl", 0.9)), unsure, "text") is unsure  # no rule
    sure = language._Guess("es", 0.95, {"es": 0.95})
    assert language._by_trigrams(_Franc(("ast", 0.9)), sure, "text") is sure


def test_the_long_rules_read_whole_bodies_of_flores_and_spare_the_neighbours() -> None:
    """Limburgish, Sicilian and Asturian articles of ten FLORES-200 sentences (which lid.176
    reads as Dutch, Italian and Spanish) come out in their language; Dutch, Italian and
    Spanish ones stay; a user's languages keep only the rules that report one of them."""
    from tools.eval_langid import join_sentences, load_samples
    from tools.flores import DEFAULT

    assert DEFAULT.exists(), f"no {DEFAULT} (tests read ../shared/data/langid)"
    articles = join_sentences(load_samples(str(DEFAULT), None), 10)
    by_lang: dict[str, list[str]] = {}
    for article in articles:
        by_lang.setdefault(article.lang, []).append(article.text)
    model = language.load_model("off", trigrams=False)  # the long rules alone
    plain = language.load_model("off", long=False, trigrams=False)
    for small, big in (("li", "nl"), ("scn", "it"), ("ast", "es")):
        texts = by_lang[small][:10]
        ours = sum(detect(model, None, t, 0.0).lang == small for t in texts)
        before = sum(detect(plain, None, t, 0.0).lang == small for t in texts)
        assert ours >= before + 3, (small, before, ours)
        assert all(detect(model, None, t, 0.0).lang == big for t in by_lang[big][:10])
    dutch_only = language.load_model("off", languages=frozenset({"nl", "en"}))
    assert dutch_only.long is None or all(y in {"nl", "en"} for _, y in dutch_only.long)
    assert detect(dutch_only, None, by_lang["li"][0], 0.0).lang == "nl"


@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\u200b", "\u2066"])
def test_invisible_marks_between_words_change_nothing(detector: Detector, mark: str) -> None:
    # pages with runs of both directions write direction marks; some editors zero-width spaces
    text = "ראש העיר אמר ביום שני כי הגשר ייפתח מחדש לאחר שנה של עבודות בדק בית בחוף הצפוני"
    marked = text.replace(" ", f" {mark}")
    assert language.detect(detector, None, marked, 0.1) == language.detect(
        detector, None, text, 0.1
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("LA COMMISSION EUROPÉENNE PROPOSE UN NOUVEAU PLAN POUR LE CLIMAT", "fr"),
        ("VLÁDA SCHVÁLILA NOVÝ ROZPOČET NA PŘÍŠTÍ ROK", "cs"),
        ("HALLITUS ESITTÄÄ UUTTA ILMASTOLAKIA EDUSKUNNALLE", "fi"),
        ("ПРАВИТЕЛЬСТВО ОБЪЯВИЛО О НОВЫХ МЕРАХ ПОДДЕРЖКИ", "ru"),
    ],
)
def test_a_text_in_capitals_is_read_in_small_letters(
    detector: Detector, text: str, lang: str
) -> None:
    # lid.176 reads capitals as another language (FLORES: 84.9% as written, 23.6% in capitals)
    assert detect(detector, None, text, MIN).lang == lang
    assert detect(detector, text, DE, MIN).title_lang == ("de" if lang == "de" else lang)


def test_lines_in_capitals_are_lowered_and_the_rest_kept() -> None:
    text = "KEY POINTS OF THE BUDGET\nThe NATO-EU summit, in Brussels.\nP.S. EU\nUSB кабель"
    assert language.unshouted_lines(text) == (
        "key points of the budget\nThe NATO-EU summit, in Brussels.\nP.S. EU\nUSB кабель"
    )
    assert language.unshouted_lines(EN) is EN


def test_letters_in_compatibility_forms_and_addresses(detector: Detector) -> None:
    bold = "".join(
        chr(0x1D41A + ord(c) - 97) if "a" <= c <= "z" else c for c in FR.lower()
    )  # 𝐥𝐞 𝐠𝐨𝐮𝐯𝐞𝐫𝐧𝐞𝐦𝐞𝐧𝐭…, as social posts write
    assert detect(detector, None, bold, MIN).lang == "fr"
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() and c.isascii() else c for c in DE)
    assert detect(detector, None, wide, MIN).lang == "de"
    assert language.without_addresses("Lire https://t.co/Xy1Qz9 via @Reuters, a@b.fr") == (
        "Lire   via  ,  "
    )
    assert language.without_addresses(FR) is FR
