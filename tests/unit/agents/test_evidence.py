"""Evidence extraction: name folding, the gazetteer, the seed pair, unrelated texts, numbers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from agents.evidence import (
    Evidence,
    Gazetteer,
    _without_ending,
    default_gazetteer,
    extract_evidence,
    name_skeletons,
    normalise_name,
    skeleton,
    skeletons,
)
from agents.scripts import readable
from streams.memory import built_apart
from tests.texts import read_seed

# Our own unrelated articles: a football report and a central-bank decision.
FOOTBALL = (
    "Millbrook edge Sandown in five-goal thriller",
    "Millbrook Town beat Sandown Rangers 3-2 at Ferrow Lane on Saturday. Striker Okonkwo "
    "Adebayo scored twice before half-time, and Sandown's Liam Petrucci pulled one back from "
    "the penalty spot. After the break Rangers levelled through Petrucci again, but Adebayo "
    "completed his hat-trick in the 88th minute. Manager Helen Cartwright said her team had "
    "shown character. A crowd of 14,208 watched the game, the largest at Ferrow Lane since 1994.",
)
CENTRAL_BANK = (
    "Zentralbank von Velmora hebt den Leitzins an",
    "Die Zentralbank von Velmora hat den Leitzins um 0,5 Prozentpunkte auf 4,75 Prozent "
    "angehoben. Notenbankchef Tomas Hervik begründete den Schritt am Dienstag mit der hohen "
    "Inflation, die im September bei 6,3 Prozent lag. Die Entscheidung des Rates fiel "
    "einstimmig. Ökonomen der Handelsbank Orsa hatten mit einer kleineren Erhöhung gerechnet. "
    "Die Landeswährung legte nach der Mitteilung um 1,2 Prozent zu.",
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


@pytest.fixture(scope="module")
def seeds() -> tuple[Evidence, Evidence]:
    en, de = read_seed("en"), read_seed("de")
    return (
        extract_evidence(en["title"], en["text"], "en"),
        extract_evidence(de["title"], de["text"], "de"),
    )


def overlap(a: Evidence, b: Evidence) -> tuple[int, float]:
    """Shared keys, and their share of the smaller key set (what grouping thresholds on)."""
    shared = len(a.keys() & b.keys())
    return shared, shared / max(1, min(len(a.keys()), len(b.keys())))


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    "spellings",
    [
        ("Wladimir", "Vladimir", "Владимир", "Vlagyimir"),
        ("Rjabkow", "Ryabkov", "Рябков", "Rjabkov"),
        ("Putin", "Путин", "Poutine", "Putyin"),
        ("Selenskyj", "Zelensky", "Zelenskiy", "Zelenskyy", "Зеленский"),
        ("Medwedew", "Medvedev", "Медведев", "Medvegyev"),
        ("Chruschtschow", "Khrushchev", "Хрущёв", "Chruščov"),
        ("Tschaikowski", "Tchaikovsky", "Чайковский", "Čajkovskij"),
        ("Xi Jinping", "Xi  Jinping"),
    ],
)
def test_spellings_of_one_name_normalise_equal(spellings: tuple[str, ...]) -> None:
    keys = {normalise_name(s) for s in spellings}
    assert len(keys) == 1, keys
    assert re.fullmatch(r"[a-z0-9]+( [a-z0-9]+)*", keys.pop())


@pytest.mark.parametrize(
    ("inflected", "lang", "base"),
    [
        ("Путина", "ru", "Putin"),
        ("Путиным", "ru", "Putin"),
        ("Зеленского", "ru", "Zelensky"),
        ("Obamovi", "cs", "Obama"),
        ("Merkelová", "cs", "Merkel"),
        ("Putyinnal", "hu", "Putin"),
        ("Obamának", "hu", "Obama"),
        ("Nogueránál", "hu", "Noguera"),
        # nominatives that end like a short case ending keep it (-ra, -t)
        ("Noguera", "hu", "Noguera"),
        ("Oktoberfest", "hu", "Oktoberfest"),
    ],
)
def test_case_endings_meet_the_nominative(inflected: str, lang: str, base: str) -> None:
    assert normalise_name(inflected, lang) == normalise_name(base)


def test_a_short_hungarian_ending_meets_a_stem_the_article_writes() -> None:
    text = "Luis Noguera szerint a díj nő. Luis Noguerát idézte a lap, és Noguera nem tagadta."
    found = extract_evidence("", text, "hu").names
    assert normalise_name("Noguera") in found and normalise_name("Luis Noguera") in found


@pytest.mark.parametrize(
    ("a", "b"), [("Putin", "Biden"), ("Geneva", "Genova"), ("Ryabkov", "Rybakov"), ("Xi", "Li")]
)
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert normalise_name(a) != normalise_name(b)


# --------------------------------------------------------------------------- gazetteer


@pytest.mark.parametrize(
    ("place", "names"),
    [
        ("g1816670", ("Peking", "Beijing", "Pékin", "Pechino", "Пекин", "Pekin")),
        ("g524901", ("Moskau", "Moscow", "Moscou", "Москва", "Mosca", "Moszkva")),
        ("g2660646", ("Genf", "Geneva", "Genève", "Ginevra", "Женева")),
        ("g703448", ("Kiew", "Kyiv", "Kiev", "Kijev", "Київ", "Киев")),
        ("g3169070", ("Rom", "Rome", "Roma", "Řím", "Рим")),
        ("g5128581", ("New York", "Nueva York", "Нью-Йорк")),
        ("cRU", ("Russland", "Russia", "Russie", "Россия", "Rusko", "Oroszország")),
        ("cDE", ("Deutschland", "Germany", "Allemagne", "Německo", "Германия")),
        ("cUS", ("USA", "United States", "Vereinigte Staaten", "États-Unis", "США")),
        ("cSG", ("Singapore", "Singapur")),  # a city named like its country is the country
    ],
)
def test_place_names_in_any_language_meet(
    gazetteer: Gazetteer, place: str, names: tuple[str, ...]
) -> None:
    assert {name: gazetteer.place_of(name) for name in names} == dict.fromkeys(names, place)


def test_common_words_are_not_places() -> None:
    text = (
        "Das Essen war gut, aber die Lage ist ernst. Der Plan erfüllt seinen Zweck. "
        "Beide Seiten stimmten zu. The White House said it would make a statement."
    )
    assert extract_evidence("", text, "de").places == frozenset()
    assert extract_evidence("", "The White House said so.", "en").places == frozenset()


def test_the_gazetteer_has_tens_of_thousands_of_keys() -> None:
    assert 10_000 < len(Gazetteer.build()) < 100_000


def test_the_gazetteer_built_apart_is_the_one_built_here(gazetteer: Gazetteer) -> None:
    # what a process that forks workers does (default_gazetteer(apart=True)): built in a child
    # and handed over pickled
    apart = built_apart(Gazetteer.build)
    assert len(apart) == len(gazetteer) and apart.max_words == gazetteer.max_words
    for name in ("Moskau", "Peking", "New York", "Ukraine", "Rom"):
        assert apart.place_of(name) == gazetteer.place_of(name)
    text = "בישראל ובתל אביב, 北京和上海"
    assert apart.uncased.find(text) == gazetteer.uncased.find(text) != set()
    assert default_gazetteer(apart=True) is gazetteer  # built once: the one there is


# --------------------------------------------------------------------------- articles


def test_the_seed_translations_share_strong_evidence(seeds: tuple[Evidence, Evidence]) -> None:
    en, de = seeds
    shared = en.keys() & de.keys()
    strong = {
        "n:putin",
        "n:" + normalise_name("Xi Jinping"),
        "n:" + normalise_name("Ryabkov"),
        "n:" + normalise_name("Joe Biden"),
        "n:" + normalise_name("Nato"),
        "p:g1816670",  # Beijing / Peking
        "p:g524901",  # Moscow / Moskau
        "p:g2660646",  # Geneva / Genf
        "p:g703448",  # Kyiv / Kiew
        "p:cUA",
        "p:cRU",
        "p:cCN",
        "p:cUS",
        "#:2019",
    }
    assert strong <= shared, strong - shared
    count, share = overlap(en, de)
    assert count >= 25
    assert share >= 0.6
    assert "2022" in en.numbers  # the German version leaves the year out


def test_unrelated_articles_share_little_with_the_seed(
    seeds: tuple[Evidence, Evidence],
) -> None:
    football = extract_evidence(*FOOTBALL, "en")
    bank = extract_evidence(*CENTRAL_BANK, "de")
    for other in (football, bank):
        for seed in seeds:
            count, share = overlap(seed, other)
            assert count <= 2 and share <= 0.15, seed.keys() & other.keys()
    assert overlap(football, bank)[0] <= 1


def test_a_football_report(seeds: tuple[Evidence, Evidence]) -> None:
    found = extract_evidence(*FOOTBALL, "en")
    assert {"#:3-2", "#:14208", "#:1994", "#:88"} <= found.keys()
    assert {normalise_name(n) for n in ("Adebayo", "Petrucci", "Millbrook", "Sandown")} <= (
        found.names
    )
    assert normalise_name("Helen Cartwright") in found.names


def test_a_central_bank_decision() -> None:
    found = extract_evidence(*CENTRAL_BANK, "de")
    assert {"#:4.75%", "#:0.5%", "#:6.3%", "#:1.2%"} <= found.keys()
    assert {normalise_name("Tomas Hervik"), normalise_name("Velmora")} <= found.names


def test_german_common_nouns_are_mostly_not_names() -> None:
    nouns = [
        *("Regierung", "Montag", "Gesetz", "Angaben", "Ministeriums", "Reform", "Steuern"),
        *("Familien", "Maßnahme", "Schritt", "Opposition", "Entwurf", "Belastung", "Kommunen"),
        *("Experten", "Kosten", "Milliarden", "Euro", "Haushalt", "Jahr", "Zeitung"),
        *("Interview", "Bürger", "Entlastung", "Ausschuss", "Sitzung", "Woche", "Vorschlag"),
        *("Streit", "Koalition"),
    ]
    text = (
        "Die Regierung hat am Montag ein neues Gesetz beschlossen. Nach Angaben des "
        "Ministeriums soll die Reform die Steuern für Familien senken. Finanzminister Holger "
        "Brandtner sagte, die Maßnahme sei ein wichtiger Schritt. Die Opposition kritisierte den "
        "Entwurf scharf; die Abgeordnete Sabine Kohlhaas sprach von einer Belastung für die "
        "Kommunen. Experten erwarten Kosten von 12 Milliarden Euro für den Haushalt im Jahr. "
        "Der Zeitung sagte Brandtner in einem Interview, die Bürger bräuchten Entlastung. Der "
        "Ausschuss berät in seiner Sitzung nächste Woche über den Vorschlag; der Streit in der "
        "Koalition dürfte weitergehen."
    )
    names = extract_evidence("Reform beschlossen", text, "de").names
    as_names = [noun for noun in nouns if normalise_name(noun, "de") in names]
    assert len(as_names) <= 0.15 * len(nouns), as_names
    assert {normalise_name("Brandtner"), normalise_name("Sabine Kohlhaas")} <= names


def test_names_in_cyrillic_and_inflected() -> None:
    found = extract_evidence(
        "Путин и Си Цзиньпин",
        "Президент России Владимир Путин встретился в Пекине с Си Цзиньпином. "
        "Встреча Путина и Си прошла в Москве.",
        "ru",
    )
    assert normalise_name("Vladimir Putin") in found.names
    assert {"g1816670", "g524901", "cRU"} <= found.places


def test_sentence_starts_and_headline_case_are_not_names() -> None:
    found = extract_evidence(
        "Markets Rally As Investors Cheer Surprise Deal",
        "Shares rose on Monday. However, analysts were cautious. Traders said the deal between "
        "Halvorsen Group and Brightwater helped.",
        "en",
    )
    assert found.names == {normalise_name(n) for n in ("Halvorsen", "Brightwater")}


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Es kamen 1.000 Menschen, 3,5 Prozent mehr.", "de", {"1000", "3.5%"}),
        ("Some 1,000 people came, 3.5 percent more.", "en", {"1000", "3.5%"}),
        ("Quelque 1 000 personnes, soit 3,5 % de plus.", "fr", {"1000", "3.5%"}),
        ("Přišlo 1 000 lidí, o 3,5 procenta více.", "cs", {"1000", "3.5%"}),
        ("Der Umsatz stieg auf 2,50 Milliarden.", "de", {"2.5"}),
        ("It ended 2:1 after a 1-1 draw at half-time, at 14:30.", "en", {"2-1", "1-1"}),
        ("Am 4. Februar 2022 um 20 Uhr.", "de", {"--02-04", "2022", "20"}),
        ("On February 4, 2022, at 8 pm.", "en", {"--02-04", "2022"}),
        ("Gestern, am 12.05.2021, und 2021-05-13.", "de", {"2021-05-12", "2021-05-13", "2021"}),
        ("He has 3 dogs, 7 cats and 5% of the shares.", "en", {"5%"}),
    ],
)
def test_numbers(text: str, lang: str, expected: set[str]) -> None:
    numbers = extract_evidence("", text, lang).numbers
    assert expected <= numbers, numbers
    assert not {n for n in numbers if re.fullmatch(r"\d", n)}  # no bare single digits
    assert "14-30" not in numbers and "3" not in numbers


# --------------------------------------------------------------------------- API and speed


def test_evidence_round_trips_through_its_wire_form() -> None:
    evidence = Evidence(frozenset({"putin"}), frozenset({"g1816670"}), frozenset({"2022"}))
    wire = evidence.to_list()
    assert wire == ["#:2022", "n:putin", "p:g1816670"]
    assert Evidence.from_list(wire) == evidence
    with pytest.raises(ValueError, match="not an evidence key"):
        Evidence.from_list(["putin"])


def test_empty_or_unknown_language_input() -> None:
    assert extract_evidence("", "", "en") == Evidence()
    assert extract_evidence("", "Putin met Biden in Geneva in 2021.", "und").places == {"g2660646"}


@pytest.mark.parametrize(
    ("title", "text", "lang", "places"),
    [
        ("", "ראש הממשלה נפגש בירושלים. בישראל אמרו", "he", {"cIL", "g281184"}),
        ("", "東京で日本の首相が会談した", "ja", {"cJP", "g1850147"}),
        ("", "नई दिल्ली में भारत के प्रधानमंत्री ने कहा", "hi", {"cIN"}),
        ("", "الرئيس في القاهرة ومصر", "ar", {"cEG", "g360630"}),
    ],
)
def test_places_in_scripts_without_case_are_found_by_their_native_names(
    title: str, text: str, lang: str, places: set[str]
) -> None:
    """No capitals to find them by: the gazetteer's native names, matched in the text (after
    a prefix attached to the word in Hebrew and Arabic; anywhere in CJK)."""
    assert places <= extract_evidence(title, text, lang).places


def test_in_a_spaced_script_a_place_name_ends_where_its_word_ends() -> None:
    jerusalem = "g281184"
    assert jerusalem in extract_evidence("", "הוא גר בירושלים", "he").places  # "in Jerusalem"
    assert jerusalem not in extract_evidence("", "הוא ירושלימאי ותיק", "he").places  # a native


def test_a_short_name_after_a_prefix_is_the_end_of_a_word_not_a_place() -> None:
    """A word "לכיוון" ("towards") is not "לכ" + "יוון" (Greece), "מיליון" (a million) not "מי" +
    "ליון" (Lyon), "במקום" (instead) not "במ" + "קום" (Qom); a name of five letters or more
    after a prefix still is ("בירושלים"), a short one alone ("יוון") or a country's after one
    letter ("ומצרים", and Egypt) too."""
    greece, jerusalem = "cGR", "g281184"
    found = extract_evidence("", "הם נסעו לכיוון הים במקום ושילמו מיליון שקל", "he").places
    assert found.isdisjoint({greece, "g2996944", "g119208"})
    assert greece in extract_evidence("", "הם נסעו אל יוון", "he").places
    assert jerusalem in extract_evidence("", "הוא גר בירושלים", "he").places
    assert "cEG" in extract_evidence("", "הם נסעו לירדן ומצרים", "he").places


@pytest.mark.parametrize(
    ("text", "lang", "country"),
    [
        ("Hallitus kokoontui Suomessa maanantaina.", "fi", "cFI"),  # Finnish, inflected
        ("Unkarin poliisi käytti kyynelkaasua.", "fi", "cHU"),
        ("Regeringen i Tyskland sade nej.", "sv", "cDE"),  # Swedish, never looked at
        ("Pemerintah Jerman menolak usulan itu.", "id", "cDE"),  # Indonesian
        ("Уряд Німеччини відмовився.", "uk", "cDE"),  # Ukrainian, inflected
    ],
)
def test_countries_are_found_by_their_names_in_the_articles_own_language(
    text: str, lang: str, country: str
) -> None:
    """CLDR names every country in every language babel has: a cased-script article finds
    its countries by its own language's names, also with a case ending."""
    assert country in extract_evidence("", text, lang).places


def test_an_inflected_country_name_is_not_read_into_a_run_of_names() -> None:
    """Only a capitalised word standing alone may be a country with an ending: Francesco
    Rossi is not France, the Liberal Party not Liberia."""
    places = extract_evidence("", "Il ministro Francesco Rossi ha parlato a Roma.", "it").places
    assert "cFR" not in places
    assert "cLR" not in extract_evidence("", "She joined the Liberal Party in May.", "en").places


@pytest.mark.parametrize(
    ("text", "lang", "place"),
    [
        ("Kadonnut poika löytyi Tampereella maanantaina.", "fi", "g634963"),
        ("Mielenosoittajat saapuvat Helsinkiin lauantaina.", "fi", "g658225"),
        ("In August, many Londoners left the city.", "en", "g2643743"),
        ("Washingtonissa ei vielä kommentoitu asiaa.", "fi", "g4140963"),
    ],
)
def test_a_city_with_an_ending_is_the_city_in_any_language(
    text: str, lang: str, place: str
) -> None:
    """A place's own name of six letters or more (normalised), followed by an ending of up to
    four (Finnish cases, English demonyms): no table of any language's endings."""
    assert place in extract_evidence("", text, lang).places


def test_a_short_place_name_is_not_read_into_a_longer_word() -> None:
    """Short names are not read into longer words: "Tampereelle" is Tampere's, not Tampa's
    "tamp"; "Catalan" is not Catalão."""
    places = extract_evidence("", "He matkustivat eilen Tampereelle.", "fi").places
    assert places == {"g634963"}
    assert "g3466696" not in extract_evidence("", "Police met the Catalan protest.", "en").places


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Norway and Austria sign €2.4 billion deal", "en"),
        ("ein Abkommen über 2,4 Milliarden Euro", "de"),
        ("un acuerdo de 2.400 millones de euros", "es"),
        ("соглашение на 2,4 млрд евро", "ru"),
        ("総額24億ユーロ", "ja"),
        ("总额24亿欧元", "zh"),
    ],
)
def test_a_quantity_with_its_scale_word_is_one_number_in_any_language(text: str, lang: str) -> None:
    """CLDR's compact number words: "2,4 млрд" = "2.4 billion" = "24億" = 2,400,000,000."""
    assert "2400000000" in extract_evidence("", text, lang).numbers


def test_a_word_that_merely_starts_like_a_scale_word_scales_nothing() -> None:
    assert extract_evidence("", "llegaron 240 militares", "es").numbers == {"240"}


# --------------------------------------------------------------------------- skeletons


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Putin", "ptn"),
        ("Путин", "ptn"),
        ("पुतिन", "ptn"),
        ("ปูติน", "ptn"),
        ("Selenskyj", "slnsk"),
        ("Зеленський", "slnsk"),
        ("זלנסקי", "slnsk"),
        ("Ahmadinejad", "mdnd"),
        ("بوتين", "ptn"),  # Arabic script has no p: b and p are one consonant
        ("Charles", "krls"),  # the c of ch and kh is k
        ("Бахмут", "pkmt"),
        ("Bakhmut", "pkmt"),
        ("Grant", "grnt"),
        ("ग्रांट", "grnt"),  # the anusvara is the nasal of the next consonant: n, not m
    ],
)
def test_a_name_has_one_skeleton_in_every_script(word: str, expected: str) -> None:
    assert skeleton(word) == expected


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("プーチン大統領", "Putin"),  # チ (chi) stands for ti
        ("トランプ氏", "Trump"),  # ン before p is m; ラ is r or l
        ("ゼレンスキー大統領", "Selenskyj"),  # レ is l
    ],
)
def test_a_name_in_kana_meets_its_latin_spelling(text: str, latin: str) -> None:
    """Kana do not tell r from l, and their Hepburn spelling is not the sound of the Latin
    one (プーチン is "puchin"): their words also stand for those readings."""
    theirs = {key.split(":")[1] for key in skeletons((), text)}
    assert skeleton(latin) in theirs


def test_an_arabic_word_with_the_article_also_stands_without_it() -> None:
    """ "الرومان" is al-Roman: its skeleton with and without the article's l; a word of the
    article and two letters, and words of other scripts, keep theirs only."""
    assert {"arab:lrmn", "arab:rmn"} <= skeletons((), "جاء الرومان")
    assert skeletons((), "الرب") == {"arab:lrp"}
    assert skeletons((), "الكساندر") >= {"arab:lksndr", "arab:ksndr"}


def test_a_long_name_also_stands_with_one_consonant_left_out() -> None:
    """Hebrew reads the ב of זילברמן as v, which a skeleton leaves out: Silberman's skeleton
    without its p is the Hebrew one. Short skeletons get no variants (chance matches)."""
    variants = name_skeletons("silberman")
    assert variants[0] == "slprmn" and skeleton("זילברמן") in variants[1:]
    assert len(variants) == 7 and all(len(v) == 5 for v in variants[1:])
    assert name_skeletons("putin") == ("ptn",)
    assert name_skeletons("xi") == ()
    assert {f"name:{v}" for v in variants} <= skeletons({"haim silberman"}, "")


def test_skeletons_of_names_and_of_words_of_scripts_without_case() -> None:
    names = {"vladimir putin", "putin", "xi"}
    found = skeletons(names, "Vladimir Putin met Xi.")
    # one key per skeleton word; "xi" ("s") is too short to tell from chance
    assert found == {"name:ldmr", "name:ptn"}
    hebrew = skeletons((), "ולדימיר פוטין נפגש עם שי")
    assert {"hebr:ldmr", "hebr:ftn"} <= hebrew  # פ is p or f: the grouper matches exactly
    assert all(key.startswith("hebr:") and len(key) >= len("hebr:") + 3 for key in hebrew)
    # a run of Japanese is a word per script: katakana, kanji, hiragana
    japanese = skeletons((), "ゼレンスキー大統領は")
    assert "kata:srnsk" in japanese and all(
        k.split(":")[0] in ("kata", "cjk", "hira") for k in japanese
    )
    assert skeletons((), "Only Latin text here, no names.") == frozenset()


def test_georgian_is_read_as_a_script_without_case() -> None:
    """Georgian's small letters have capitals (Mtavruli, Unicode 11) but no title case: names
    are not capitalised, so its words are read as those of a script without case."""
    found = extract_evidence("", "ვლადიმერ პუტინი შეხვდა სი ძინპინს.", "ka")
    assert {"geor:ldmr", "geor:ptn"} <= found.skeletons
    assert skeletons((), "Latin text WITH CAPITALS, NATO and USA.") == frozenset()


def test_skeleton_keys_travel_with_the_evidence() -> None:
    found = extract_evidence("", "Der Kreml: Wladimir Putin traf Xi Jinping in Peking.", "de")
    assert "name:ptn" in found.skeletons
    assert "s:name:ptn" in found.to_list()
    assert Evidence.from_list(found.to_list()) == found
    hebrew = extract_evidence("", "פוטין נפגש עם שי ג'ינפינג בבייג'ינג", "he")
    assert any(key.startswith("hebr:") for key in hebrew.skeletons)


def test_a_name_in_another_alphabet_tags_its_skeleton_with_it() -> None:
    """Cyrillic and Greek names get "namecyri" / "namegree" skeletons, their own only (no
    variants: two names' variants would meet); Latin names keep "name" and their variants."""
    found = extract_evidence("", "Президент Зильберман встретился с Путиным в Минске.", "ru")
    assert "namecyri:slprmn" in found.skeletons
    assert "namecyri:slrmn" not in found.skeletons  # Silberman's variant without its p
    greek = extract_evidence("", "Ο Ζιλμπερμαν συναντήθηκε με τον Πούτιν.", "el")
    assert any(k.startswith("namegree:") for k in greek.skeletons)
    latin = extract_evidence("", "President Silberman met Putin in Minsk.", "en")
    assert {"name:slprmn", "name:slrmn"} <= latin.skeletons


def test_a_name_in_another_alphabet_also_stands_without_its_case_ending() -> None:
    """Tatar writes the genitive onto Copernicus (Коперникның, kprnkng): its skeleton also
    stands with one or two final consonants cut, as long as four remain (kprnk), and so meets
    the Latin name's; a short one keeps four consonants at least."""
    tatar = extract_evidence("", "Бу Коперникның фаразы иде, диде галим.", "tt")
    assert {"namecyri:kprnkng", "namecyri:kprnk", "namecyri:kprnkn"} <= tatar.skeletons
    latin = extract_evidence("", "It was the hypothesis of Kopernik, the scholar said.", "en")
    assert "name:kprnk" in latin.skeletons
    assert _without_ending("lndnd") == ("lndnd", "lndn")
    assert _without_ending("ptnm") == ("ptnm",)


def test_names_are_found_in_every_cased_script_of_the_basic_plane() -> None:
    """Armenian has capitals too (before, only Latin, Greek and Cyrillic ones were read)."""
    found = extract_evidence(
        "", "Ռոդրիգո Արիասը հանդիպեց Վլադիմիր Պուտինին։ Արիասը ասաց, որ Ռոդրիգո Արիասը", "hy"
    )
    assert {"n:rodrig", "n:rodrig arias", "s:namearme:rdrg"} <= set(found.to_list())


@pytest.mark.parametrize(
    "marked",
    [
        lambda t: t.replace(" Merkel", " \u200bMerkel"),  # a zero-width space before a word
        lambda t: t.replace(" ", " \u200e"),  # left-to-right marks (pages with Hebrew, Arabic)
        lambda t: t.replace("Macron", "\u2066Macron\u2069"),  # a direction isolate
    ],
)
def test_invisible_marks_around_words_do_not_break_names(marked: Callable[[str], str]) -> None:
    text = "Die Kanzlerin Angela Merkel traf am Montag in Berlin den Präsidenten Emmanuel Macron."
    assert extract_evidence("", marked(text), "de") == extract_evidence("", text, "de")


@pytest.mark.parametrize("space", ["\xa0", "\u202f", "\u2009", "\t", "\u3000"])
def test_names_and_numbers_read_the_same_with_any_space(space: str) -> None:
    # no-break, narrow no-break (French, and thousands), thin, tab, ideographic
    text = "Le président Emmanuel Macron a annoncé lundi un budget de 2 400 000 euros à Paris."
    assert extract_evidence("", text.replace(" ", space), "fr") == extract_evidence("", text, "fr")


def test_a_zero_width_space_between_words_reads_as_a_space() -> None:
    assert readable("ក\u200bខ \u200bគ\u200b\nឃ") == "ក ខ គ\nឃ"


def test_soft_hyphens_do_not_break_names_or_numbers() -> None:
    # sites hyphenate long words with U+00AD (&shy;), invisible unless a line breaks there
    text = (
        "Bundeskanzlerin Angela Merkel traf am Montag in Berlin den Präsidenten Emmanuel Macron."
        " Merkel sagte, die Sozialversicherungsreform koste 2,4 Milliarden Euro."
    )
    hinted = text.replace("Merkel", "Mer\xadkel").replace("Macron", "Ma\xadcron")
    assert extract_evidence("Merkel empfängt Macron", text, "de") == extract_evidence(
        "Mer\xadkel empfängt Ma\xadcron", hinted, "de"
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("米国のBiden大統領は東京でNATOの会議に出席した。AppleはiPhoneを発表した。", "ja"),
        ("美国总统Biden在东京出席了NATO会议。Apple公司发布了新款iPhone。", "zh"),
        ("ประธานาธิบดีBidenเดินทางไปโตเกียวเพื่อประชุมNATOกับApple", "th"),
    ],
)
def test_a_latin_name_in_a_script_without_spaces_is_the_name_alone(text: str, lang: str) -> None:
    # the letters around it belong to words of another script: "Apple公司" was the name
    # "aplegongsifabuleksinkuanifon", and Biden after の was no name at all
    names = extract_evidence("", text, lang).names
    assert {"biden", "nato", "aple"} <= names
    assert all(name.isascii() and len(name) <= 6 for name in names)


def test_a_capital_inside_a_latin_word_starts_no_name() -> None:
    assert "phone" not in extract_evidence("", "The new iPhone went on sale on Friday.", "en").names


def test_a_headline_in_capitals_gives_no_names_the_text_does_not() -> None:
    # every word of a line in capitals looks like an acronym: read as Capitalised Words at a
    # sentence's start, a word is a name only where the text writes it as one
    body = (
        "The two leaders talked for three hours on Monday with officials from Gazprom. "
        "The deal, Putin said, would help both countries."
    )
    written = extract_evidence("Putin meets Xi in Beijing over trade deal", body, "en")
    shouted = extract_evidence("PUTIN MEETS XI IN BEIJING OVER TRADE DEAL", body, "en")
    assert shouted.keys() == written.keys()
    assert "putin" in shouted.names and not {"mes", "deal", "trad deal"} & shouted.names
    # a line in capitals inside the text too, and a dateline is no such line
    text = f"BREAKING NEWS FROM THE SUMMIT TODAY\n{body}"
    assert extract_evidence("", text, "en").names == extract_evidence("", body, "en").names
    dateline = extract_evidence("", f"CHISINAU, Moldova (AP) - {body}", "en")
    assert dateline.places - extract_evidence("", body, "en").places == {"g618426", "cMD"}


def test_which_lines_are_in_capitals() -> None:
    from agents.scripts import shouted, shouted_lines

    assert shouted("UNIPOL: SOUD V ŘÍMĚ, DANILO COPPOLA ZŮSTÁVÁ") and shouted("İSTANBUL’DA DEPREM")
    assert not shouted("CHISINAU, Moldova (AP).")  # a dateline: its place is meant as a name
    assert not shouted("בין היתר כבל USB Type C")  # another script with an acronym in it
    assert not shouted("1月10日（周三）活动 | WEB TOKACHI KACHIMAI－十胜每日报社集团")
    assert not shouted("EU") and not shouted("NATO summit")
    text = "Title\nKEY POINTS OF PBR\nnormal line\nПРАВИТЕЛЬСТВО ОБЪЯВИЛО"
    assert [text[a:b] for a, b in shouted_lines(text)] == [
        "KEY POINTS OF PBR",
        "ПРАВИТЕЛЬСТВО ОБЪЯВИЛО",
    ]


def test_letters_in_compatibility_forms_are_read_as_letters() -> None:
    assert readable("ＢＢＣ報道２０２４年，（テスト）") == "BBC報道2024年，（テスト）"
    bold = "".join(chr(0x1D400 + ord(c) - 65) if "A" <= c <= "Z" else c for c in "PUTIN")
    assert readable(f"{bold} said") == "PUTIN said"
    body = "The two leaders met on Monday. The deal, Putin said, would help."
    fancy = "".join(
        chr(0x1D400 + ord(c) - 65)
        if "A" <= c <= "Z"
        else chr(0x1D41A + ord(c) - 97)
        if "a" <= c <= "z"
        else c
        for c in body
    )
    assert extract_evidence("", fancy, "en").keys() == extract_evidence("", body, "en").keys()
