"""Stage "boilerplate", pure half: strip site chrome from an article, keep its body.

Input: an article's plain text as a crawler sent it (site chrome still in it, at the ends and
inside), or its raw HTML. Output: :class:`Cleaned`, the body as paragraphs joined by a blank
line, the dropped lines or page blocks in order (published as ``boilerplate_removed``) and, for
HTML, the page title. No I/O, no settings, no Kafka: text in, result out.

Plain text (:func:`clean_text`) is cut into lines and each line is classified with per-language
regular expressions kept in one table (:data:`_CHROME`). Structure rules then act on the
classes: a strong end marker ("Leave a Reply", "Source link", a comment section) cuts the tail
after it; a "Related articles" heading takes the short title lines that follow with it; other
chrome lines go one by one. Only short lines are ever matched, so a prose paragraph that merely
mentions "read more" stays.

HTML (:func:`clean_html`) goes through trafilatura's main-content extraction (comments
excluded; its full extraction, with its fallback extractors) and then through the
same line rules (without the main-region step: trafilatura has found the main content); the
lead paragraphs trafilatura left out between the headline and the body are put back; the
visible page blocks missing from the result are the removed part.

A whole page's visible text sent as plain text (menus, footers and all) is first cut down to its
main region: the run of lines with the most prose in it (:func:`_main_region`). Inside it, runs
of link-like lines (a few words, no sentence end, no digit: a menu, tags, other articles'
titles) go in any language (:func:`_drop_link_lists`).

Either way the text comes out in Unicode's composed normal form (NFC), as trafilatura's own.
"""

from __future__ import annotations

import contextlib
import copy
import enum
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import regex
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata
from trafilatura.settings import Document
from trafilatura.utils import load_html

from agents.crawler_text import BLOCK_TAGS, INVISIBLE_TAGS, nfc


@dataclass(frozen=True, slots=True)
class Cleaned:
    """An article without its boilerplate."""

    text: str  # the body; paragraphs joined by "\n\n", every body paragraph intact and in order
    removed: tuple[str, ...] = ()  # the dropped lines or blocks, in order
    title: str | None = None  # for HTML: the page title trafilatura found


class _Kind(enum.Enum):
    """What a chrome line is, which decides what happens to it and to the lines after it."""

    END = "end"  # a strong end marker: it and everything after it go
    COMMENTS = "comments"  # a comment section: an end marker once past the first third
    HEADING = "heading"  # a list heading: it and the short title lines after it go
    LINE = "line"  # a short chrome line: it alone goes
    NOTICE = "notice"  # a cookie, newsletter or copyright notice: it alone goes
    BYLINE = "byline"  # "By Jane Doe": goes only near the start or the end
    DATELINE = "dateline"  # "12 March 2024, 14:30 | Politics": only near the start or the end
    BIO = "bio"  # "Jane Doe is a senior writer for ...": only near the start or the end


# The most words a line may have to be taken for each kind: nothing longer is ever removed by
# a pattern, so a prose paragraph survives whatever words it contains.
_MAX_WORDS: Mapping[_Kind, int] = {
    _Kind.END: 40,
    _Kind.COMMENTS: 6,
    _Kind.HEADING: 8,
    _Kind.LINE: 25,
    _Kind.NOTICE: 60,
    _Kind.BYLINE: 10,
    _Kind.DATELINE: 15,
    _Kind.BIO: 60,
}
_EDGE_KINDS = frozenset((_Kind.BYLINE, _Kind.DATELINE, _Kind.BIO))
_CASED_KINDS = frozenset((_Kind.BYLINE, _Kind.BIO))  # their patterns tell names by case

# -- the chrome table -----------------------------------------------------------------------------
# Each pattern must match a whole line (after _DECORATION is stripped from its ends), matched
# case-insensitively except BYLINE. "*" applies to every language.

_NETWORKS = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|pinterest|reddit|xing|messenger|"
    r"flipboard|instagram|youtube|tiktok|threads|mastodon|bluesky|e-?mail|sms|fb)"
)
_AGENCIES = (
    r"(?:reuters|afp|ap|dpa|epa|efe|ansa|pap|anp|lusa|apa|sda|kna|epd|getty(?: images)?|"
    r"imago(?: images)?|picture[- ]alliance|shutterstock|alamy|bloomberg|keystone|istock|"
    r"action press|ddp|sipa|abaca|belga|tass|ria novosti|xinhua|kyodo|pa(?: images| wire)?)"
)
# A lead-in followed by what it leads to: "Read more: <title>", "Lesen Sie auch » <title>".
_SEP = r"\s*(?:[:|»›–—]|\s-)\s*.*"
# A short credit value: "Reuters", "dpa/Michael Kappeler", "John Smith for The Guardian".
_CREDIT = r"\s*:\s*\S+(?:\s+\S+){0,5}"
# A date after "Updated", "Publié le"...: a digit, or a month or weekday name, then a few words.
_DATE = r"\s*:?\s*(?:\d|[a-zé]{3,9}\.?,? \d)[\w ,.:/+-]{0,60}"
_CAPTION_LABELS = (
    *("photograph", "photo", "foto", "fotografía", "zdjęcie", "fot", "bild", "image"),
    *("imagen", "immagine", "imagem", "credit", "crédit", "beeld"),
)
# A newsletter prompt: a sign-up verb and a newsletter near each other, in either order.
_NEWSLETTER = r"(?:newsletter\w*|nieuwsbrief|boletín|infolettre|lettre d'information)"
_SIGN_UP = (
    r"(?:subscribe|sign(?:ing)? ?-?up|join|register|anmelden|abonnieren|abonniere|bestellen|"
    r"melde dich|melden sie sich|abonnez-vous|inscrivez-vous|s'inscrire|suscr[ií]bete|"
    r"suscribirse|regístrate|iscriviti|zapisz się|abonneer|schrijf je in|meld je aan|assine|"
    r"inscreva-se)"
)
# A line that starts with a date (after a weekday or a place and a comma): "12.03.2024",
# "2024-03-12", "12. März 2024", "12 de marzo de 2024", "March 12, 2024"; month names by their
# first letters in the eight languages.
_MONTH = (
    r"(?:jan|feb|fév|fev|mar|mär|maa|apr|avr|abr|may|mai|maj|mag|mei|jun|juin|giu|jul|juil|lug|"
    r"aug|aoû|ago|sep|set|wrz|oct|okt|ott|out|paź|nov|lis|dec|dez|déc|dic|gru|ene|gen|sty|lut|"
    r"kwi|cze|lip|sie)\w*\.?"
)
_DATE_START = (
    r"(?:\w+,\s+)?(?:\d{1,2}[./]\s?\d{1,2}[./]\s?(?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|"
    rf"\d{{1,2}}\.?\s+(?:de\s+)?{_MONTH},?\s+(?:de\s+)?\d{{4}}|"
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b.*"
)
_NAME = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]*"
_PARTICLE = r"(?:van|von|de|der|den|del|della|di|da|dos|du|la|le|ten|ter|zu)"
_NAMES = (
    rf"{_NAME}(?:(?:\s+(?:{_PARTICLE}\s+)*|\s*,\s*|\s+(?:and|und|et|y|e|i|en|&)\s+){_NAME}){{0,5}}"
)


def _byline(by: str, on: str) -> str:
    """A byline: "<by> <names>", then a role or outlet after a separator or "<on> <date>"
    ("By Jane Doe | Reuters", "von Anna Muster am 14. Mai 2014, 15:40 Uhr")."""
    return rf"(?i:{by})\s+{_NAMES}(?:\s*[|,/·–-]\s*[^.!?]{{0,60}}|,?\s+(?i:(?:{on}){_DATE}))?"


def _after_label(labels: tuple[str, ...]) -> str:
    """A look-behind, placed right after a colon, for "<label>:" or "<label> :" (lower case).

    A pattern that may match anywhere in a line should start with a literal (here the colon):
    the regex engine then skips ahead to it instead of trying the pattern at every position.
    """
    behind = (rf"(?<=\b{label}{space}:)" for label in labels for space in ("", " "))
    return f"(?:{'|'.join(behind)})"


_CHROME: Mapping[str, Mapping[_Kind, tuple[str, ...]]] = {
    "*": {
        _Kind.LINE: (
            rf"{_NETWORKS}(?:[\s,|/·•]+{_NETWORKS})*",
            rf"{_AGENCIES}(?:\s*(?:/|\||,|via)\s*[\w .'’-]{{1,40}}){{0,3}}",
            rf"(?:\w{{1,4}}\s*/\s*){{1,3}}{_AGENCIES}",  # the author's initials first: "aja/PAP"
            r".*©.*",
            r"\(c\)\s*(?:\d{4}|[\w.-]+\.\w{2,}).*",
            r"copyright\b.*",
            r"[^›»>«]{1,40}+(?:\s*[›»>]\s*[^›»>«]{1,40}+){2,}",  # breadcrumbs: Home › News
            r"←.{0,160}",  # post navigation: "← Previous title"
            # a list of words, not a table row: "Imprint | Privacy | Jobs", "Comics / Art / Music"
            r"[^\W\d_][^/|\d]{0,40}?(?:\s[/|]\s[^\W\d_][^/|\d]{0,40}?){2,}",
            r"(?:author|autor|autorin|auteur|autore|autora|auteurs)\s*:.{1,60}",
            r"sources?|quellen?|fuentes?|fonte|fontes|bron(?:nen)?|źródło|źródła",
        ),
        _Kind.NOTICE: (
            # an image caption ending in a credit: "... Photograph: Mikhail Klimentyev/AP"
            rf".*:{_after_label(_CAPTION_LABELS)}\s*[^:]{{0,40}}(?:/|\b{_AGENCIES}\b)[^:]{{0,40}}",
            # ...or in a credit in brackets at its end: "(Foto: Jane Doe)", "(REUTERS/John Doe)"
            rf".*[(\[]\s*(?:{'|'.join(_CAPTION_LABELS)}|quelle|bildquelle|fuente|source|kuva)s?"
            r"\s*:[^()\[\]:]{1,80}[)\]]\s*\.?",
            rf".*[(\[]\s*{_AGENCIES}\s*(?:/[^()\[\]]{{1,60}})?[)\]]\s*\.?",
            # ...or after the caption's last sentence: "... on Monday. Photo: Jane Doe"
            rf".*[.!?]\s+(?:{'|'.join(_CAPTION_LABELS)}|kuva)s?\s*:\s*[^.:]{{1,40}}\.?",
            # ...or a picture agency after a slash: "Parliament / Shutterstock"
            rf".*\s/\s*(?:{_AGENCIES}|unsplash|pixabay|pexels|flickr)\s*\.?",
            # a licence note: "... stehen unter einer Creative Commons Lizenz", "Foto: X, CC BY"
            r".*(?:under|unter) (?:a |an |the |einer |der )?creative commons.*",
            r".*cc by\b.*",
            r".*cc-by\b.*",
            rf".*\b{_SIGN_UP}\b.{{0,80}}\b{_NEWSLETTER}.*",
            rf".*{_NEWSLETTER}\b.{{0,80}}\b{_SIGN_UP}\b.*",
            r".* your inbox\b.*",
            r".*(?:ihr|dein)en posteingang\b.*",
            r".*dans votre boîte (?:mail|e-mail|de réception)\b.*",
            r".*en tu (?:bandeja de entrada|correo)\b.*",
        ),
        _Kind.DATELINE: (_DATE_START,),
    },
    "en": {
        _Kind.END: (
            r"leave a (?:reply|comment)(?: cancel reply)?|cancel reply",
            r"(?:post|add|write) a comment",
            r"join the (?:conversation|discussion)",
            r"comments (?:are )?closed.*",
            r"(?:show|view|load|read) (?:all )?comments",
            r"you must be logged in to post a comment.*",
            r"your email address will not be published.*",
            r"source link",
            r"source site-\d+",
            r"this entry was posted in .*",
            r"(?:\d+|one|two|three) (?:responses?|replies|comments?|thoughts?) (?:to|on) .+",
            r"(?:click here to )?cancel reply\.?",
            r"(?:pingback|trackback)\b.*|comment by .{1,80}(?:\d:\d\d|@).*",
        ),
        _Kind.COMMENTS: (
            r"(?:\d+ )?comments?(?: \(\d+\))?",
            r"about the (?:author|writer)s?|(?:the )?author(?:'s)? (?:bio|profile)",
        ),
        _Kind.HEADING: (
            r"related(?: (?:articles?|stories|posts|content|news|coverage|topics|links|reading))?",
            r"more (?:on this (?:story|topic)|stories|news|articles|like this)",
            r"more from [\w .'-]{1,30}",
            r"you (?:may|might) also (?:like|enjoy|be interested in)",
            r"(?:recommended|suggested)(?: for you| articles| stories| reading)?",
            r"(?:table of )?contents",
            r"most (?:popular|read|viewed|shared)",
            r"(?:trending|popular|recent|latest) (?:now|news|stories|articles|posts)",
            r"trending",
            r"read (?:more|also|next)",
            r"(?:also read|see also|further reading|top stories|what to read next)",
            r"(?:related|recommended|more) (?:content|reading|topics)",
            r"explore (?:further|more)|more to explore|editors?'? ?(?:picks|choice)|don't miss",
            r"(?:latest|recent|popular) (?:posts|comments|headlines)|in other news|around the web",
        ),
        _Kind.LINE: (
            rf"share(?: (?:this|the))?(?: (?:article|story|post|page|video|link))?"
            rf"(?: (?:on|via) {_NETWORKS}(?:,? (?:or|and) {_NETWORKS})*)?(?: \d+)?",
            rf"(?:click to )?share on {_NETWORKS}(?: \(opens in new window\))?",
            r"\d+ shares?",
            r"tweet(?: this)?",
            r"(?:print|email|save|bookmark)(?: this)?(?: (?:article|page|story|for later))?",
            r"copy(?: the)? link|link copied",
            rf"follow us(?: on .*)?|follow @\w+.*|follow [\w .'-]{{1,30}} on {_NETWORKS}.*",
            r"like us on facebook.*|connect with us.*",
            r"advertisement|advert|ad|sponsored(?: content| by .*)?|promoted(?: content)?",
            r"paid (?:content|partnership|post)|skip advertisement",
            r"(?:story|article) continues below(?: advertisement)?",
            r"continue reading(?: below| the main story)?|scroll to continue.*",
            r"subscribe(?: now| today| here)?|subscribe to .*|already a subscriber.*",
            r"sign (?:up|in)|log ?in|register",
            r"privacy (?:policy|notice)|terms (?:of (?:use|service)|and conditions)",
            rf"(?:photo(?:graph)?|picture|image|video|illustration|graphic|credit|source)s?{_CREDIT}",
            r"photo credit.*|image (?:caption|source|copyright).*|media caption.*",
            r"posted by .{1,60}|posted in \S+(?:\s+\S+){0,3}",
            r"tagged(?: with| as)?\s*:.*|(?:photo|image|picture)s? by .{1,60}",
            rf"posted on{_DATE}",
            # ("Additional reporting by ..." is not here: in the folds it only ever matched a
            # closing credit line that belongs to the article)
            r"(?:editing|writing|compiled) by \S+(?:\s+\S+){0,5}",
            rf"(?:read (?:more|also|next)|see also|related|also read|more on this){_SEP}",
            r"(?:tags?|topics|categor(?:y|ies)|filed under)(?:\s*:.*)?",
            r"\d+\s*min(?:ute)?s? read|reading time.*",
            rf"(?:first )?(?:published|updated|last (?:updated|modified))(?: on| at)?{_DATE}",
            r"back to top|skip to (?:main )?content|home|menu|search|close",
            r"(?:next|previous)(?: (?:article|story|post))?",
            r"(?:next|previous|older|newer) (?:article|story|post|entry)s?\b.{0,160}",
            rf"(?:next|previous) (?:article|story|post){_SEP}",
            r"(?:click|tap) here.*",
            r"jump to (?:recipe|comments|content)\b.{0,40}|print recipe",
            r"pdf (?:version|download)|download (?:as )?pdf|search this (?:blog|site)",
            r"categor(?:y|ies)|(?:release|news) date(?:\s*:.*)?",
            r"to (?:view|read|continue reading) (?:the|this) full (?:story|article).*",
            r"subscribe (?:now )?to (?:our|the) .{1,40} (?:edition|app) for the full story.*",
            r"if you(?:'re| are|’re) (?:seeing this message|already a subscriber).*",
            r"required fields are marked.*",
            r"loading|(?:please )?enable javascript.*|your browser does not support.*",
        ),
        _Kind.NOTICE: (
            r"(?:we|this (?:web)?site|our (?:web)?site) uses? cookies.*",
            r"by (?:using|continuing to (?:use|browse)) (?:this|our) (?:web)?site.*",
            r"(?:accept|reject|allow|manage)(?: all)? cookies",
            r"cookie (?:settings|preferences|policy)",
            r"we care about your privacy.*",
            r"(?:sign up|subscribe|register)(?: now| today| here)? (?:for|to) "
            r".{0,40}newsletters?.*",
            r"(?:get|receive) (?:our|the) .{0,40}newsletter.*|newsletter(?: sign[- ]?up)?",
            r"enter your e-?mail(?: address)?.*",
            r"notify me of (?:new|follow-up) .*|send me (?:an )?e-?mail (?:for|every|when) .*",
            r"by (?:registering|creating an account),? you (?:agree|accept) .*",
            r".*contains affiliate links.*",
            r".*contain affiliate links.*",
            r".*we (?:may )?(?:earn|receive) (?:a )?(?:small )?(?:commission|compensation).*",
            r"never miss .{0,60}newsletter.*|sign up (?:to|for) (?:get |receive )?.{0,60}",
            r"(?:for .{0,60})?download (?:the|our) .{0,40}apps?\b.*",
            r"by (?:signing up|subscribing|clicking).*(?:privacy|terms).*",
            r".*all rights reserved.*",
        ),
        _Kind.BYLINE: (_byline("by|written by", "on|at"),),
        _Kind.BIO: (
            rf"{_NAMES} (?:is|was) (?:a|an|the) (?:[\w'&-]+ ){{0,4}}(?i:writer|reporter|editor|"
            r"correspondent|journalist|columnist|contributor|professor|author|founder|co-founder|"
            r"fellow|producer|analyst|expert|lecturer|researcher|consultant)\b.*",
        ),
    },
    "de": {
        _Kind.END: (
            r"schreib(?:e|en sie)?(?: jetzt)? einen kommentar(?: antworten abbrechen)?",
            r"kommentar (?:schreiben|verfassen|abgeben)|antworten abbrechen",
            r"hinterlasse(?:n sie)?(?: jetzt)? (?:einen kommentar|eine antwort)",
            r".*antwort(?:en)? abbrechen",  # a comment form's heading and its "Cancel reply"
            r"(?:eine )?antwort (?:hinterlassen|schreiben)",
            r"kommentare (?:anzeigen|lesen|öffnen|einblenden)",
            r"(?:ihre|deine) e-?mail-?adresse wird nicht veröffentlicht.*",
            r"quellen?-?link|zur quelle|zum originalartikel",
            r"(?:\d+|eine?|zwei|drei) (?:antworten|antwort|kommentare?|gedanken|reaktionen) "
            r"(?:zu|auf) .+",
            r"hier klicken, um das antworten abzubrechen\.?",
            r"(?:pingback|trackback) (?:von|auf)\b.*|kommentar von .{1,80}(?:\d:\d\d|@).*",
        ),
        _Kind.COMMENTS: (
            r"(?:\d+ )?kommentare?(?: \(\d+\))?",
            r"leserkommentare",
            r"(?:über (?:den|die) |zu[mr] )?autor(?:in)?|autorenprofil|autoreninfo",
        ),
        _Kind.HEADING: (
            r"lesen sie (?:auch|mehr|weiter)|weiterlesen|mehr lesen",
            r"(?:das )?könnte sie auch interessieren|auch interessant|auch lesenswert",
            r"mehr zum thema(?: [\w-]+){0,3}|zum thema|dazu passend",
            r"(?:ähnliche|verwandte|weitere|passende) (?:artikel|beiträge|themen|nachrichten)",
            r"(?:unsere )?empfehlung(?:en)?|empfohlene (?:artikel|beiträge)",
            r"schon gelesen\??|zum weiterlesen|auch lesen|mehr themen|kommentierte artikel",
            r"lesen sie auch (?:die|diese) folgenden (?:beiträge|artikel)",
            r"(?:das (?:thema )?)?könnte (?:dich|sie) auch interessieren",
            r"weitere (?:artikel|beiträge|themen|meldungen)"
            r"(?: (?:zum thema|aus|von|der|des|zu)\b.*)?",
            r"top-?themen(?: (?:bei|von|aus) .*)?|mehr zum thema (?:auf|bei) .*",
            r"themen (?:in|aus) diesem (?:artikel|beitrag)|weitere interessante (?:themen|artikel)",
            r"(?:neueste|aktuelle|beliebte|populäre) (?:artikel|beiträge|nachrichten|meldungen|"
            r"kommentare)(?: .{1,30})?",
            r"(?:die )?meist(?:gelesenen?|geklickten?|kommentierten?) (?:artikel|beiträge|"
            r"nachrichten)(?: .{1,30})?",
            r"empfehlungen(?: der| aus der) redaktion|entdecken sie (?:jetzt|mehr|auch)|"
            r"entdecke (?:weitere|mehr) .{1,30}|ebenfalls interessant",
        ),
        _Kind.LINE: (
            rf"teilen(?: (?:auf|via|per) {_NETWORKS})?|auf {_NETWORKS} teilen",
            # a "most read" box's heading alone: as a list heading it took the article's short
            # lines after it on one site in the folds and helped on none (the region step
            # already leaves such boxes out)
            r"meistgelesen(?:e artikel)?|am meisten gelesen|top-?themen",
            r"(?:artikel|beitrag|seite|rezept) (?:teilen|drucken|versenden|merken|empfehlen|"
            r"speichern)\b.{0,60}",
            rf"folgen?(?: sie)? .{{1,40}} auf {_NETWORKS}\b.*",
            r"bild (?:anzeigen|schließen|vergrößern)\b.*|vergrößern|externer inhalt|"
            r"inhaltsverzeichnis|(?:als )?pdf herunterladen",
            r"hier (?:kostenlos |gratis )?(?:anmelden|registrieren|abonnieren).*",
            r"drucken|versenden|merken|link kopieren|artikel anhören",
            r"folgen? (?:sie )?uns(?: auf .*)?",
            r"anzeige|werbung|gesponsert|sponsored|(?:bezahlte )?partnerinhalte?",
            r"(?:jetzt )?(?:newsletter )?abonnieren|jetzt (?:anmelden|registrieren|abonnieren).*",
            rf"(?:foto|fotos|bild|bilder|video|grafik|quelle|quellen){_CREDIT}",
            rf"(?:titelbild|beitragsbild|bildquelle|headerbild|vorschaubild|symbolbild){_CREDIT}",
            r"kategorien?|quellenangaben?|originalpublikation|zusatzinformationen",
            r"(?:presse)?kontakt|ansprechpartner(?:in)?(?: zum thema| für die presse)?",
            r"teilen(?: sie)?(?: dies)? mit|zurück zur (?:übersicht|liste|startseite)",
            rf"letzte (?:änderung|aktualisierung)(?: am)?{_DATE}",
            r"mit material (?:von|der|des) .{1,60}",
            r"(?:vorherige[rs]?|nächste[rs]?) (?:artikel|beitrag|post|eintrag)\b.{0,160}",
            r"(?:video )?verfügbar bis .{1,30}",
            r"veröffentlicht am .{1,40} von .{1,80}|(?:dieses|diesen) blog durchsuchen",
            r"zum rezept\b.{0,40}|teilen (?:senden|twittern|drucken|mailen|merken)(?: \w+){0,3}",
            r"auf einer seite lesen|originalartikel",
            r".*als pdf herunterladen",
            r"(?:die )?aktuelle ausgabe|(?:ausgabe|heft) kaufen|empfohlener redaktioneller inhalt",
            r"(?:getaggt|verschlagwortet) mit\s*:.*|(?:veröffentlicht|abgelegt) (?:in|unter)\s*:.*",
            r"eingestellt von .{1,60}|dieser (?:eintrag|beitrag) wurde .{0,40}(?:veröffentlicht|"
            r"abgelegt) .*",
            r"(?:diese[nr]?|den|die|das) (?:artikel|beitrag|geschichte|seite|rezept) "
            r"(?:teilen|drucken|versenden|merken|empfehlen)|mit (?:freunden|anderen) teilen.*",
            r"sharen mit|(?:jetzt )?teilen auf",
            r"(?:text|von)\s*:.{1,60}",
            rf"(?:lesen sie (?:auch|mehr|hier)|mehr zum thema|auch interessant|weiterlesen){_SEP}",
            rf"(?:auch lesen|schon gelesen){_SEP}",
            r"(?:schlagw(?:orte?|örter)|stichworte?|themen)(?:\s*:.*)?",
            r"lesezeit\s*:?\s*\d.*|\d+\s*min(?:\.|uten)? lesezeit",
            rf"(?:veröffentlicht|aktualisiert|stand)(?: am)?{_DATE}",
            r"zurück(?: zur startseite)?|nach oben|startseite|zum inhalt springen",
            r"hier (?:klicken|geht'?s? zu.*)|klicken sie hier.*",
            r"(?:erforderliche felder|pflichtfelder) sind mit .* markiert.*",
        ),
        _Kind.NOTICE: (
            r"(?:wir|diese (?:web)?seite|diese website|unsere (?:web)?seite) "
            r"(?:verwendet|verwenden|nutzt|nutzen|benutzt) cookies.*",
            r"cookie-?einstellungen|alle (?:cookies )?akzeptieren",
            r"(?:informiere|benachrichtige) mich über .*",
            r"mit (?:der|ihrer) (?:registrierung|anmeldung) (?:akzeptieren|stimmen|erklären) .*",
            r".*um affiliate-links.*",
            r".*um affiliate links.*",
            r".*enthält affiliate-links.*",
            r".*enthält affiliate links.*",
            r"(?:melden sie sich|melde dich) .{0,40}newsletter.*",
            r"(?:jetzt |hier )?(?:zum |für den )?newsletter (?:anmelden|abonnieren|bestellen).*",
            r".*alle rechte vorbehalten.*",
        ),
        _Kind.BYLINE: (_byline("von", "am|um"),),
        _Kind.BIO: (
            rf"{_NAMES} (?:ist|war|arbeitet als) (?:(?:ein|eine|der|die) )?(?:[\w-]+ ){{0,3}}"
            r"(?i:redakteur|journalist|korrespondent|autor|reporter|kolumnist|professor)\w*\b.*",
            rf"{_NAMES} (?:leitet (?:das|die) (?i:ressort|redaktion)|lehrt .{{1,40}} an der "
            r"(?i:universität|hochschule))\b.*",
            r"Schreibt seit \d{4} für .*",
        ),
    },
    "fr": {
        _Kind.END: (
            r"laisser un commentaire|laisser une réponse",
            r"(?:ajouter|écrire|publier) un commentaire|réagir(?: à cet article)?",
            r"votre adresse (?:e-?mail|de messagerie|courriel) ne sera pas publiée.*",
            r"lien source|source du lien",
            r"(?:\d+|une?) (?:réponses?|commentaires?|réactions?) (?:à|au|sur) .+",
        ),
        _Kind.COMMENTS: (
            r"(?:\d+ )?commentaires?(?: \(\d+\))?|vos réactions(?: \(\d+\))?",
            r"(?:à propos de )?l'auteure?|à propos de l'auteur",
        ),
        _Kind.HEADING: (
            r"(?:à )?lire (?:aussi|également|la suite)|voir aussi|(?:lire|en savoir) plus",
            r"sur le même (?:sujet|thème)|dans la même rubrique",
            r"articles? (?:similaires|liés|associés|recommandés)",
            r"(?:les )?(?:articles )?(?:les )?plus lus|à (?:ne pas manquer|découvrir)",
            r"vous (?:aimerez|pourriez aimer) aussi",
            r"(?:les )?dernières (?:actualités|nouvelles|infos)|les plus (?:partagés|commentés)",
        ),
        _Kind.LINE: (
            rf"partager(?: (?:cet article|l'article|sur {_NETWORKS}))?|partager? sur {_NETWORKS}",
            r"imprimer|envoyer(?: par e-?mail)?|copier le lien",
            r"suivez-nous(?: sur .*)?",
            r"publicité|contenu sponsorisé|contenu partenaire",
            r"(?:s'abonner|abonnez-vous)(?: .*)?|déjà abonné.*",
            rf"(?:photo|photos|crédit photo|crédits?|illustration|vidéo|source|sources){_CREDIT}",
            rf"(?:(?:à )?lire (?:aussi|également)|voir aussi){_SEP}",
            r"mots[- ]clés(?:\s*:.*)?",
            rf"(?:publié|mis à jour)(?: le)?{_DATE}",
            r"temps de lecture\s*:?.*|\d+\s*min de lecture",
            r"retour en haut(?: de la page)?|accueil|cliquez ici.*",
            r"pour (?:lire la suite|accéder en illimité).*|article suivant\b.*",
            r"(?:publié|posté) par .{1,60}|article précédent\b.*",
            rf"(?:crédits? photos?|image d'illustration|image illustrative){_CREDIT}",
            r"les champs obligatoires sont indiqués.*",
        ),
        _Kind.NOTICE: (
            r"(?:nous utilisons|ce site (?:web )?utilise|notre site utilise) "
            r"(?:des )?(?:cookies|témoins).*",
            r"(?:tout )?accepter(?: les cookies)?|(?:tout )?refuser|paramétrer les cookies",
            r"(?:inscrivez-vous|abonnez-vous) à (?:notre|la) newsletter.*",
            r"recevez (?:notre|la) newsletter.*",
            r"prévenez-moi de .*",
            r".*tous droits réservés.*",
        ),
        _Kind.BYLINE: (_byline("par", "le"),),
        _Kind.BIO: (
            rf"{_NAMES} est (?:(?:une?|le|la) )?(?:[\w'-]+ ){{0,3}}(?i:journaliste|rédact|"
            r"correspondant|professeur|auteur|chercheu)\w*\b.*",
        ),
    },
    "es": {
        _Kind.END: (
            r"deja (?:una respuesta|un comentario)|dejar un comentario",
            r"(?:añadir|escribir|publicar) (?:un )?comentario",
            r"(?:tu|su) dirección de correo(?: electrónico)? no será publicada.*",
            r"enlace (?:de )?(?:la )?fuente|fuente original",
            r"(?:\d+|una?) (?:respuestas?|comentarios?) (?:a|en|para) .+",
        ),
        _Kind.COMMENTS: (
            r"(?:\d+ )?comentarios?(?: \(\d+\))?",
            r"(?:sobre|acerca de)l? (?:el |la )?autora?",
        ),
        _Kind.HEADING: (
            r"(?:lee|leer|lea) (?:también|más)|ver (?:también|más)",
            r"(?:también )?(?:te|le) (?:puede|podría) interesar|te recomendamos",
            r"(?:artículos|noticias|contenidos) relacionad[oa]s|relacionad[oa]s",
            r"(?:lo )?más (?:leído|visto)s?|más noticias|s(?:igue|eguir) leyendo",
            r"notas relacionadas|contenido relacionado|temas|más sobre .{1,40}",
            r"mirá también|otras noticias|(?:lo|las) últim[oa]s?(?: noticias)?|últimas noticias",
        ),
        _Kind.LINE: (
            rf"compart(?:ir|e)(?: (?:en|por) {_NETWORKS}| (?:este )?artículo| esta noticia)?",
            r"imprimir|enviar(?: por (?:correo|e-?mail))?",
            r"síguenos(?: en .*)?",
            r"publicidad|contenido patrocinado",
            r"suscr[ií]b(?:ete|irse|ase)(?: .*)?",
            rf"(?:foto|fotos|fotografía|imagen|vídeo|video|fuente){_CREDIT}",
            rf"(?:lee|leer|lea) (?:también|más){_SEP}",
            rf"(?:(?:le|te) puede interesar|puedes ver|mira|mire|lea|ve[ar] también){_SEP}",
            r"inf[óo]rmate más|vea también",
            r"(?:etiquetas|temas)(?:\s*:.*)?",
            rf"(?:publicado|actualizado)(?: el)?{_DATE}",
            r"tiempo de lectura\s*:?.*",
            r"volver arriba|inicio|(?:haz clic|pulsa) aquí.*",
            r"publicado por .{1,60}",
            r"(?:art[ií]culo|nota|entrada) (?:anterior|siguiente)\b.{0,160}",
            r"los campos obligatorios están marcados.*",
        ),
        _Kind.NOTICE: (
            r"(?:utilizamos|usamos|este sitio(?: web)? (?:utiliza|usa)|"
            r"esta (?:web|página)(?: web)? (?:utiliza|usa)) cookies.*",
            r"aceptar(?: todas)?(?: las cookies)?|rechazar(?: todas)?",
            r"(?:suscríbete|suscribete|regístrate|apúntate) (?:a|en) "
            r"(?:nuestro|nuestra|el|la) (?:newsletter|boletín).*",
            r"recibe (?:nuestro|el) (?:newsletter|boletín).*",
            r".*todos los derechos reservados.*",
        ),
        _Kind.BYLINE: (_byline("por", "el|em"),),
    },
    "it": {
        _Kind.END: (
            r"lascia (?:un commento|una risposta)",
            r"(?:aggiungi|scrivi|inserisci) (?:un )?commento",
            r"il tuo indirizzo (?:e-?mail|email) non sarà pubblicato.*",
            r"link (?:alla )?fonte|fonte originale",
            r"(?:\d+|una?) (?:risposte?|commenti) (?:a|su) .+",
        ),
        _Kind.COMMENTS: (
            r"(?:\d+ )?commenti(?: \(\d+\))?",
            r"(?:sull'|l')autore|informazioni sull'autore",
        ),
        _Kind.HEADING: (
            r"leggi (?:anche|di più|tutto)|vedi anche|continua a leggere",
            r"(?:ti )?potrebbe(?:ro)? (?:anche )?interessar(?:ti|e)|ti consigliamo",
            r"articoli (?:correlati|simili|consigliati)|correlati|altre notizie",
            r"(?:i )?più letti",
            r"ultime notizie|(?:gli )?ultimi articoli|da non perdere",
        ),
        _Kind.LINE: (
            rf"condividi(?: (?:su {_NETWORKS}|questo articolo|l'articolo))?",
            r"stampa|invia(?: per e-?mail)?",
            r"seguici(?: su .*)?",
            r"pubblicità|contenuto sponsorizzato",
            r"(?:abbonati|iscriviti)(?: (?:ora|subito|a|al|alla|per)\b.*)?",
            rf"(?:foto|immagine|video|fonte){_CREDIT}",
            rf"leggi anche{_SEP}",
            r"(?:tag|argomenti)(?:\s*:.*)?",
            rf"(?:pubblicato|aggiornato)(?: il)?{_DATE}",
            r"tempo di lettura\s*:?.*",
            r"torna (?:su|all'inizio)|clicca qui.*",
            r"pubblicato da .{1,60}",
            r"(?:articolo|post) (?:precedente|successivo)\b.{0,160}",
            r"i campi obbligatori sono contrassegnati.*",
        ),
        _Kind.NOTICE: (
            r"(?:utilizziamo|usiamo|questo sito(?: web)? (?:utilizza|usa)) (?:i )?cookie.*",
            r"accett(?:a|o)(?: tutti)?(?: i cookie)?|rifiuta(?: tutti)?",
            r"iscriviti (?:alla|alla nostra) newsletter.*",
            r".*tutti i diritti riservati.*",
        ),
        _Kind.BYLINE: (_byline("di", "il"),),
    },
    "pl": {
        _Kind.END: (
            r"dodaj komentarz|(?:zostaw|napisz) (?:komentarz|odpowiedź)|skomentuj",
            r"twój adres (?:e-?mail|email) nie zostanie opublikowany.*",
            r"link (?:do )?źródła|źródło oryginalne",
            r"\d+ (?:komentarz(?:e|y)?|odpowiedzi) (?:do|na) .+",
        ),
        _Kind.COMMENTS: (
            r"(?:\d+ )?komentarz(?:e|y)?(?: \(\d+\))?",
            r"o autor(?:ze|ce)",
        ),
        _Kind.HEADING: (
            r"czytaj (?:też|także|również|więcej|dalej)|zobacz (?:też|także|również|więcej)",
            r"przeczytaj (?:też|także|również)",
            r"(?:podobne|powiązane|polecane) (?:artykuły|wpisy|tematy)",
            r"najczęściej (?:czytane|komentowane)|najpopularniejsze|polecamy",
            r"może cię (?:też |także )?zainteresować",
            r"najnowsze(?: artykuły| wiadomości| wpisy)?|więcej (?:artykułów|wiadomości)",
        ),
        _Kind.LINE: (
            rf"udostępnij(?: (?:na {_NETWORKS}|artykuł))?(?: \(\d+\))?|(?:po)?dziel się",
            r"drukuj|wyślij(?: e-?mailem)?",
            r"obserwuj nas(?: na .*)?",
            r"reklama|materiał (?:sponsorowany|partnera|promocyjny)",
            r"(?:zasubskrybuj|subskrybuj|zapisz się)(?: .*)?",
            r"(?:fot\.|(?:fot|foto|zdjęcie|zdj\.|wideo|źródło)\s*:)\s*\S+(?:\s+\S+){0,5}",
            rf"(?:czytaj|zobacz|przeczytaj) (?:też|także|również){_SEP}",
            rf"dowiedz się więcej{_SEP}",
            r"tagi(?:\s*:.*)?",
            rf"(?:opublikowano|aktualizacja|aktualizowano){_DATE}",
            r"do góry|strona główna|kliknij tutaj.*",
            r"(?:poprzedni|następny) (?:artykuł|wpis|post)\b.{0,160}",
            r"(?:ten )?tekst przeczytasz w .{1,30}|czas czytania.*",
            r"wymagane pola są oznaczone.*",
        ),
        _Kind.NOTICE: (
            r"(?:używamy|wykorzystujemy|(?:ta|nasza) strona (?:używa|korzysta z|wykorzystuje))"
            r" (?:plików )?cookies?.*",
            r"akceptuj(?:ę)?(?: wszystkie)?|odrzuć(?: wszystkie)?",
            r"zapisz się do (?:naszego )?newslettera.*",
            r".*wszelkie prawa zastrzeżone.*",
            r".*chronion\w* prawem autorskim.*",
        ),
    },
    "nl": {
        _Kind.END: (
            r"(?:geef|plaats|laat) een reactie(?: achter)?|reageer(?: op dit artikel)?",
            r"(?:je|uw) e-?mailadres wordt niet gepubliceerd.*",
            r"bronlink|link naar bron",
            r"(?:\d+|één|een) reacties? op .+",
        ),
        _Kind.COMMENTS: (
            r"(?:\d+ )?reacties?(?: \(\d+\))?",
            r"over de (?:auteur|schrijver)",
        ),
        _Kind.HEADING: (
            r"lees (?:ook|meer|verder)|bekijk ook|zie ook|ook interessant",
            r"(?:gerelateerde|vergelijkbare|meer) (?:artikelen|berichten|nieuws)",
            r"meest (?:gelezen|bekeken)|aanbevolen(?: artikelen)?",
            r"dit vind je misschien ook leuk",
            r"laatste nieuws|meer nieuws|(?:nieuwste|recente) (?:artikelen|berichten)",
        ),
        _Kind.LINE: (
            rf"delen(?: (?:op|via) {_NETWORKS}| dit artikel)?|deel (?:dit artikel|op {_NETWORKS})",
            r"printen|afdrukken|link kopiëren",
            r"volg ons(?: op .*)?",
            r"advertentie|gesponsord(?:e inhoud)?",
            r"abonneer(?: je| nu)?(?: .*)?",
            rf"(?:foto|beeld|video|bron){_CREDIT}",
            rf"lees (?:ook|meer){_SEP}",
            r"trefwoorden(?:\s*:.*)?",
            rf"(?:gepubliceerd|bijgewerkt)(?: op)?{_DATE}",
            r"leestijd\s*:?.*|\d+ min(?:uten)? leestijd",
            r"terug naar boven|klik hier.*",
            r"geplaatst (?:door|in|op) .{1,60}",
            r"(?:vorige|volgende) (?:artikel|bericht)\b.{0,160}",
            r"(?:verplichte|vereiste) velden zijn gemarkeerd.*",
        ),
        _Kind.NOTICE: (
            r"(?:wij gebruiken|we gebruiken|deze (?:web)?site gebruikt) cookies.*",
            r"(?:alle )?cookies accepteren|accepteren|weigeren",
            r"(?:schrijf je in|meld je aan) (?:voor|op) (?:onze|de) nieuwsbrief.*",
            r".*alle rechten voorbehouden.*",
        ),
        _Kind.BYLINE: (_byline("door", "op"),),
    },
    "pt": {
        _Kind.END: (
            r"deixe (?:uma resposta|um comentário|seu comentário)",
            r"(?:adicionar|escrever|publicar) (?:um )?comentário",
            r"(?:o )?seu endereço de (?:e-?mail|email) não será publicado.*",
            r"link (?:da )?fonte|fonte original",
            r"(?:\d+|uma?) (?:respostas?|comentários?) (?:para|a|em) .+",
        ),
        _Kind.COMMENTS: (
            r"(?:\d+ )?comentários?(?: \(\d+\))?",
            r"sobre (?:o autor|a autora)",
        ),
        _Kind.HEADING: (
            r"leia (?:também|mais)|veja (?:também|mais)|saiba mais|continue lendo",
            r"(?:artigos|notícias|matérias) relacionad[oa]s|(?:as )?mais lidas|recomendados",
            r"você (?:pode|poderá) (?:também )?gostar",
            r"últimas notícias|mais notícias|(?:conteúdos?|notícias) recomendad[oa]s",
        ),
        _Kind.LINE: (
            rf"(?:compartilh|partilh)(?:ar|e)(?: (?:no|via|pelo) {_NETWORKS}| (?:este )?artigo)?",
            r"enviar por e-?mail",
            r"siga-nos(?: n[oa] .*)?",
            r"publicidade|conteúdo patrocinado",
            r"(?:assine|inscreva-se)(?: .*)?",
            rf"(?:foto|imagem|vídeo|fonte){_CREDIT}",
            rf"(?:leia|veja) também{_SEP}",
            rf"(?:publicado|atualizado)(?: em)?{_DATE}",
            r"tempo de leitura\s*:?.*",
            r"voltar ao topo|clique aqui.*",
            r"(?:artigo|post) (?:anterior|seguinte)\b.{0,160}",
            r"(?:próximo|anterior) (?:artigo|post)\b.{0,160}",
            r"os campos obrigatórios são marcados.*",
        ),
        _Kind.NOTICE: (
            r"(?:usamos|utilizamos|este site (?:usa|utiliza)) cookies.*",
            r"aceitar(?: todos)?(?: os cookies)?|rejeitar(?: todos)?",
            r"(?:assine|inscreva-se n[ao]|receba) (?:a )?(?:nossa )?newsletter.*",
            r".*todos os direitos reservados.*",
        ),
        _Kind.BYLINE: (_byline("por", "el|em"),),
    },
    "ru": {
        _Kind.END: (
            r"(?:оставьте|оставить|написать|добавить) (?:свой )?комментарий",
            r"ваш (?:e-?mail|адрес электронной почты) не будет опубликован.*",
        ),
        _Kind.COMMENTS: (r"комментари(?:и|ев)(?: \(\d+\))?|\d+ комментари\w*",),
        _Kind.HEADING: (
            r"читайте (?:также|еще|ещё)|смотрите также|см\. также|по теме",
            r"(?:похожие|связанные|другие) (?:статьи|новости|материалы)",
            r"самое (?:читаемое|популярное)|популярное|рекомендуем",
            r"последние новости|(?:ещё|еще|другие) новости",
        ),
        _Kind.LINE: (
            rf"поделиться(?: (?:в|во) {_NETWORKS})?|(?:по)?делитесь",
            r"распечатать|печать|отправить по (?:e-?mail|почте)",
            r"(?:подписывайтесь|подпишитесь) (?:на нас|на наш).*",
            r"реклама|партнерский материал|на правах рекламы",
            rf"(?:фото|видео|источник){_CREDIT}",
            rf"(?:читайте|смотрите) (?:также|еще|ещё){_SEP}",
            r"теги(?:\s*:.*)?",
            rf"(?:опубликовано|обновлено){_DATE}",
            r"наверх|главная страница|нажмите здесь.*",
        ),
        _Kind.NOTICE: (
            r"(?:мы используем|(?:этот|наш) сайт использует) (?:файлы )?cookies?.*",
            r"при (?:полном или частичном|любом) (?:использовании|копировании|цитировании)"
            r" материалов.*",
            r".*все права защищены.*",
        ),
    },
    "uk": {
        _Kind.COMMENTS: (r"коментар(?:і|ів)(?: \(\d+\))?|\d+ коментар\w*",),
        _Kind.HEADING: (
            r"читайте (?:також|ще)|дивіться також|по темі|на тему",
            r"(?:схожі|пов'язані|інші) (?:статті|новини|матеріали)",
            r"найпопулярніше|найчитаніше|рекомендуємо|останні новини",
        ),
        _Kind.LINE: (
            rf"поділитися(?: (?:у|в) {_NETWORKS})?|поділіться",
            r"друкувати|надіслати (?:e-?mail|поштою)",
            r"(?:підписуйтесь|підпишіться) (?:на нас|на наш).*",
            r"реклама|партнерський матеріал|на правах реклами",
            rf"(?:фото|відео|джерело){_CREDIT}",
            rf"(?:читайте|дивіться) (?:також|ще){_SEP}",
            r"теги(?:\s*:.*)?",
        ),
        _Kind.NOTICE: (
            r"(?:ми використовуємо|(?:цей|наш) сайт використовує) (?:файли )?cookies?.*",
            r"при (?:повному або частковому|будь-якому) (?:використанні|копіюванні)"
            r" матеріалів.*",
            r".*всі права захищені.*",
        ),
    },
}

# What a line may be wrapped in without it changing what it is: "» Read more …", "[Anzeige]".
_DECORATION = " \t\u00a0-–—•·*|>»›→▶►▸+:.…#_=~"
_ALL = "*"


class _Rules:
    """The compiled chrome patterns of a set of languages: per kind, one expression for the
    whole-line patterns, and one each for the few that may match anywhere in a line (".*x")."""

    __slots__ = ("by_words", "by_words_at_edge")

    def __init__(self, langs: tuple[str, ...]) -> None:
        # (kind, matcher, whether it is given the lower-cased line), in order of precedence
        checks: list[tuple[_Kind, Callable[[str], object], bool]] = []
        for kind in _Kind:
            fragments = [f for lang in langs for f in _CHROME[lang].get(kind, ())]
            whole = "|".join(f"(?:{f})" for f in fragments if not f.startswith(".*"))
            if whole:
                # a kind that ignores case is given the lower-cased line, without IGNORECASE:
                # the same answers on 122,059 lines, a fifth faster
                pattern = re.compile(rf"[\[(]?(?:{whole})[\])]?")
                checks.append((kind, pattern.fullmatch, kind not in _CASED_KINDS))
            # Searched for in the lower-cased line without IGNORECASE: only then does the regex
            # engine skip ahead to the pattern's first literal instead of trying every position.
            for fragment in fragments:
                if fragment.startswith(".*"):
                    checks.append((kind, _searcher(_unanchored(fragment)), True))
        # The checks that apply to a line of n words, for n up to the longest chrome line, away
        # from the text's edges (without the kinds that go only there) and near them.
        longest = max(_MAX_WORDS.values()) + 2
        self.by_words, self.by_words_at_edge = (
            tuple(
                tuple(
                    (kind, matches, on_folded)
                    for kind, matches, on_folded in checks
                    if n <= _MAX_WORDS[kind] and (edge or kind not in _EDGE_KINDS)
                )
                for n in range(longest)
            )
            for edge in (False, True)
        )

    def classify(self, line: str, words: int, near_edge: bool) -> _Kind | None:
        """The kind of chrome ``line`` is, or None for a body line."""
        by_words = self.by_words_at_edge if near_edge else self.by_words
        checks = by_words[min(words, len(by_words) - 1)]
        if not checks:
            return None
        core = line.strip(_DECORATION)
        if not core:
            return _Kind.LINE
        folded = core.lower()
        for kind, matches, on_folded in checks:
            if matches(folded if on_folded else core):
                return kind
        return None


def _unanchored(fragment: str) -> str:
    """A whole-line pattern ".*x" or ".*x.*" as the equivalent pattern to search for."""
    body = fragment.removeprefix(".*")
    return body.removesuffix(".*") if body.endswith(".*") else rf"(?:{body})\Z"


_REGEX_SYNTAX = re.compile(r"[\\.^$*+?{}\[\]|()]")


def _searcher(pattern: str) -> Callable[[str], object]:
    """A test for ``pattern`` anywhere in a string: plain ``in`` when it is a literal."""
    if not _REGEX_SYNTAX.search(pattern):
        return lambda text: pattern in text
    return re.compile(pattern).search


def _build_rules() -> dict[str, _Rules]:
    langs = tuple(lang for lang in _CHROME if lang not in (_ALL, "en"))
    rules = {lang: _Rules((_ALL, "en", lang)) for lang in langs}
    rules["en"] = _Rules((_ALL, "en"))
    rules[_ALL] = _Rules((_ALL, "en", *langs))
    return rules


_RULES = _build_rules()

# Structure thresholds.
_END_MIN_WORDS_BEFORE = 40  # an end marker cuts only after this much kept text
_EDGE_LINES = 3  # bylines and datelines are looked for in the first and last lines only
_TITLE_MAX_WORDS = 20  # a line in a "Related articles" list is at most this long...
_TITLE_MAX_CHARS = 160
_SENTENCE_END = ".:;,"  # ...and does not end like a sentence
_LABEL_ENDS = tuple(".!?:")  # a header line ending so is a sentence or a lead-in, not a label
# Inside a page's main region, a run of this many link-like lines (this short, not ending like
# a sentence or a clause, no digit) is a list of links, not part of the article.
_LINK_LIST_MIN_LINES = 5
_LINK_MAX_WORDS = 5
_CLAUSE_ENDS = tuple(".!?:;,。！？：；，、")
_CLOSERS = " \t\"'”“»«’‘)]"
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def _rules_for(lang: str | None) -> _Rules:
    """Chrome rules for ``lang`` plus English and the universal ones; all of them without a
    language, English and the universal ones for a language without a table."""
    if not lang:
        return _RULES[_ALL]
    return _RULES.get(lang.replace("_", "-").split("-")[0].lower(), _RULES["en"])


@functools.lru_cache(maxsize=1 << 12)
def _words(line: str) -> int:
    """Words in a stripped line (cached: the region's rules ask about a line three times on
    average): its spaced words, or for a script without spaces an estimate,
    whichever is more. The estimate counts a wide character (East Asian Width W or F: Han, kana,
    Hangul, full-width forms, each a syllable or morpheme) as half a word, seven of a script
    whose words Unicode's line breaking must find by a dictionary (Line_Break SA: Thai, Lao,
    Khmer, Myanmar, Tai scripts) as one, and ten of any other as one. Measured on FLORES-200
    dev's parallel sentences: 1.8-2.6 Chinese or Japanese characters per English word, 5.8-8.5
    of Thai, Khmer, Lao, Burmese or Tibetan ones. (Counted as ten, a Thai paragraph of two
    sentences, ~150 characters without a sentence mark, was no prose: FLORES articles wrapped
    in a menu and a footer lost 7.5% of their Thai paragraphs, 0.8% since.)"""
    spaced = line.count(" ") + 1
    if spaced * 2 > len(line) or (
        spaced * 10 > len(line) and (line.isascii() or not _UNSPACED.search(line))
    ):
        return spaced  # the estimate cannot be larger
    wide = sum(1 for c in line if unicodedata.east_asian_width(c) in "WF")
    complex_ = len(_COMPLEX_CONTEXT.findall(line))
    return max(spaced, wide // 2 + complex_ // 7 + (len(line) - wide - complex_) // 10)


#: Letters of the scripts whose words line breaking finds by a dictionary (Line_Break SA).
_COMPLEX_CONTEXT = regex.compile(r"\p{Line_Break=Complex_Context}")
#: Characters of the scripts that do not space their words (wide ones, and those above).
_UNSPACED = regex.compile(r"[\p{East_Asian_Width=W}\p{East_Asian_Width=F}\p{Line_Break=SA}]")


def _blocks(text: str) -> list[list[str]]:
    """Paragraphs as lists of lines: blank-line separated if there are blank lines, else a
    paragraph per line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    blocks = [[line.strip() for line in part.split("\n") if line.strip()] for part in parts]
    return [block for block in blocks if block]


def _is_title_like(line: str) -> bool:
    """A short line that reads like a headline rather than a sentence."""
    if _words(line) > _TITLE_MAX_WORDS or len(line) > _TITLE_MAX_CHARS:
        return False
    return not line.rstrip(_CLOSERS).endswith(tuple(_SENTENCE_END))


def _drop_marks(lines: list[str], rules: _Rules) -> list[bool]:
    """For each line, whether it is boilerplate."""
    n = len(lines)
    words = [_words(line) for line in lines]
    total = sum(words)
    kinds = [
        rules.classify(line, w, i < _EDGE_LINES or i >= n - _EDGE_LINES)
        for i, (line, w) in enumerate(zip(lines, words, strict=True))
    ]
    drop = [kind is not None for kind in kinds]
    kept_words = 0
    for i, kind in enumerate(kinds):
        if _ends_body(kind, kept_words, total):
            drop[i:] = [True] * (n - i)
            break
        if kind is _Kind.HEADING and kept_words:  # at the very top, the next line is the title
            _drop_list_after(i, lines, drop)
        if not drop[i]:
            kept_words += words[i]
    return drop


def _drop_link_lists(lines: list[str], drop: list[bool]) -> None:
    """Mark the runs of at least :data:`_LINK_LIST_MIN_LINES` link-like lines inside a page's
    main region (:func:`_is_link_like`): a menu, a tag list or a list of other articles' titles
    between the article's paragraphs or after them. A list in the article, of sentences,
    clauses, figures or longer items, has lines that are not all link-like."""
    n = len(lines)
    i = 0
    while i < n:
        if not _is_link_like(lines[i]):
            i += 1
            continue
        j = i + 1
        while j < n and _is_link_like(lines[j]):
            j += 1
        if j - i >= _LINK_LIST_MIN_LINES and i > 0 and j < n:
            drop[i:j] = [True] * (j - i)
        i = j


def _is_link_like(line: str) -> bool:
    """A line that reads like a link or a button: a few words (:data:`_LINK_MAX_WORDS`) that do
    not end like a sentence or a clause, without a digit (which an item of data, a date or a
    price would have) and without a colon (a label and its value: "Photo: Jane Doe")."""
    if _words(line) > _LINK_MAX_WORDS or line.rstrip(_CLOSERS).endswith(_CLAUSE_ENDS):
        return False
    return not any(char.isdigit() or char == ":" for char in line)


def _ends_body(kind: _Kind | None, kept_words: int, total_words: int) -> bool:
    """Whether a line of ``kind`` after ``kept_words`` of body closes the article."""
    if kind is _Kind.END:
        return kept_words >= _END_MIN_WORDS_BEFORE
    if kind is _Kind.COMMENTS:
        return kept_words >= _END_MIN_WORDS_BEFORE and kept_words * 3 >= total_words
    return False


def _drop_list_after(heading: int, lines: list[str], drop: list[bool]) -> None:
    """Mark the run of title-like lines after a list heading (other chrome may sit between)."""
    for j in range(heading + 1, len(lines)):
        if drop[j]:
            continue
        if not _is_title_like(lines[j]):
            return
        drop[j] = True


# -- a whole page's visible text: its main region ----------------------------------------------
# A crawler may send a page's visible text, menus and footers included. The body is the densest
# run of prose: lines long enough and ending like a sentence count for it (their words), every
# other line against it (a fixed penalty). A page's text starts with its title, and the article
# starts where its headline repeats the title: the body is then the run that begins with the
# first prose after the headline (a larger run further down is a comment section, a cookie
# dialog or a teaser list more often than the article). Without a headline, the run with the
# highest sum is the main region.

_PROSE_MIN_WORDS = 10  # a line this long that ends like a sentence is prose...
# A sentence ends with one of Unicode's sentence terminals (Sentence_Terminal: . ! ? and the
# danda, the ideographic full stop, Arabic's question mark, Ethiopic's full stop…), a colon, or
# a closing bracket or quote (Unicode's Pe, Pf, Pi and ").
_PROSE_END = regex.compile(r"(?:\p{Sentence_Terminal}|:|\p{Pe}|\p{Pf}|\p{Pi}|\")$")
_LONG_MIN_WORDS = 20  # ...and a line this long counts half even without a sentence end,
# when a punctuation mark inside it shows clauses: a long line of spaced words without any is a
# list of names (tags, categories, an archive's months), not prose
_CLAUSE_MARK = re.compile(r"[.,;!?\u061b\u060c](?=\s)|[\u3001\u3002\uff0c\uff1b\uff01\uff1f\u0964]")
_SHORT_PENALTY = 5.0  # what any other line counts against a region
_LEAD_LINES = 1  # lines kept just before the region (the headline)
_OUTSIDE_MIN_LINES = 3  # the region is cut out only when at least this many lines are left out
_OUTSIDE_SHORT_WORDS = 6  # ...and at least half of them are shorter than this (menu-like)
_HEADLINE_MIN_WORDS = 3  # a headline repeats at least this much of the title...
_HEADLINE_MIN_SHARE = 0.3  # ...and at least this share of its characters
# ...or, when shorter, is the whole first part of a title "Headline | Site" (at least this long)
_TITLE_PART_MIN_CHARS = 6
_SHORT_HEADLINE_MIN_CHARS = 8  # ...or is part of it anyway, at least this long
_TYPOGRAPHY_CHARS = re.compile("[‘’‚′“”„″«»–—]")
_PLAIN_TYPOGRAPHY = str.maketrans(
    dict.fromkeys("‘’‚′", "'") | dict.fromkeys("“”„″«»", '"') | dict.fromkeys("–—", "-")
)
_TITLE_SEPARATOR = re.compile(r"\s+[|–—:-]\s+|\s*\|\s*|\s+-{2,}")
_HEADER_LINES = 5  # at most this many lines (lead, byline, date) between headline and prose
_LABEL_MAX_WORDS = 9  # ...of which the short ones not ending like a sentence go (kicker, date)
_LATE_HEADLINE_SHARE = 2.0  # prose before the headline this many times the region's: a repeat
_SMALL_REGION_WORDS = 40.0  # a region after the headline with less prose than this (a teaser)...
_SMALL_REGION_SHARE = 3.0  # ...gives way to a run elsewhere this many times heavier
_TOKEN_MAX_CHARS = 60  # an ASCII "word" longer than this is data (base64, a URL), not prose
# (in a script without spaces, a whole sentence is one "word")
_GAP_LINES = 4  # a run of this many lines that are not prose is a gap in the region...
_GAP_TAIL_SHARE = 0.5  # ...which ends it when the prose after it weighs less than this share
# ...and when this many of its lines are not short sentences (a line of this many words or
# more that ends like one): an article's run of short sentences (dialogue, a list of facts;
# in Finnish or Hungarian a sentence has fewer words) is no gap. Both chosen leave one out:
# on every held-out translated_news file (least body removed) and four of five held-out
# folds of trafilatura's pages (plain text F), among the points that lower no fold
_GAP_OTHER_LINES = 3
_SHORT_SENTENCE_MIN_WORDS = 4
#: A line this long (characters) may be a hard-wrapped paragraph's (:func:`_line_weights`);
#: chosen leaving one fold of the trafilatura pages out (20 to 50 and 0 tried: 30 on all).
_WRAPPED_MIN_CHARS = 30
_CHROME_TAIL_SHARE = 0.2  # a chrome line before another non-prose line ends it below this share
_LINKS_TAIL_LINES = 2  # this many link-like lines in a row end it...
_LINKS_TAIL_SHARE = 0.3  # ...when the prose after them weighs less than this share


def _line_weight(line: str, words: int) -> float:
    """What a line counts for (prose) or against (anything else) the main region."""
    if any(len(token) > _TOKEN_MAX_CHARS and token.isascii() for token in line.split()):
        return -_SHORT_PENALTY
    if words >= _PROSE_MIN_WORDS and _PROSE_END.search(line.rstrip()):
        return float(words)
    if words >= _LONG_MIN_WORDS and (
        _CLAUSE_MARK.search(line) or not _spaced(line) or not _mostly_capitalised(line)
    ):
        return words / 2
    return -_SHORT_PENALTY


def _line_weights(lines: list[str]) -> list[float]:
    """Each line's weight (:func:`_line_weight`), a hard-wrapped paragraph's lines weighed as
    the one line they were: a line of :data:`_WRAPPED_MIN_CHARS` or more that does not end like
    a sentence and is followed by a line starting with a lower-case letter goes on in it (text
    wrapped at a fixed width, as plain-text feeds, mail and preformatted blocks are). Its
    paragraph's weight is shared among its lines by their words."""
    weights = [_line_weight(line, _words(line)) for line in lines]
    i = 0
    while i < len(lines):
        j = i
        while (
            j + 1 < len(lines)
            and len(lines[j]) >= _WRAPPED_MIN_CHARS
            and not _PROSE_END.search(lines[j].rstrip())
            and lines[j + 1][:1].islower()
        ):
            j += 1
        if j > i:
            paragraph = " ".join(lines[i : j + 1])
            words = _words(paragraph)
            weight = _line_weight(paragraph, words)
            if weight > 0:
                for k in range(i, j + 1):
                    weights[k] = weight * _words(lines[k]) / words
        i = j + 1
    return weights


def _mostly_capitalised(line: str) -> bool:
    """Whether most of ``line``'s words that start with a letter start with a capital one (a
    list of names, tags or months), which a sentence's words do not, even in German."""
    words = [w for w in line.split() if w[:1].isalpha()]
    return sum(1 for w in words if w[:1].isupper()) * 2 > len(words)


def _spaced(line: str) -> bool:
    """Whether ``line``'s words are counted by its spaces (:func:`_words`), as in scripts that
    space their words; a script without spaces (or spacing phrases, not words) has fewer."""
    return line.count(" ") + 1 >= len(line) // 10


def _headline(lines: list[str]) -> int | None:
    """The index of the first line after the first that repeats (much of) the first line, the
    page title ("Headline | Site"), or that contains it; else of the first shorter line that
    does so (:func:`_short_headline`); None if there is none."""
    if not lines:
        return None
    folded = [_fold(line) for line in lines]
    title = folded[0]
    for i in range(1, len(lines)):
        line = folded[i]
        if line.count(" ") + 1 < _HEADLINE_MIN_WORDS:
            continue
        if title in line or (line in title and len(line) >= _HEADLINE_MIN_SHARE * len(title)):
            return i
    return _short_headline(title, [line.strip(" .") for line in folded])


def _fold(line: str) -> str:
    """``line`` as the title comparisons see it: spaces collapsed, case, quotes and dashes
    folded (a page title often has straight quotes where the headline has curly ones)."""
    if _TYPOGRAPHY_CHARS.search(line):
        line = line.translate(_PLAIN_TYPOGRAPHY)
    return " ".join(line.split()).casefold()


def _short_headline(title: str, folded: list[str]) -> int | None:
    """A headline too short for :func:`_headline`'s word rule: the index of the first line
    after the first that is the first part of ``title`` (a folded page title "Headline |
    Site"), else of the first line that is part of it anyway (at least
    :data:`_SHORT_HEADLINE_MIN_CHARS` characters and :data:`_HEADLINE_MIN_SHARE` of it);
    ``folded``: the page's lines as :func:`_fold` gives them, a final full stop stripped.
    None if there is none."""
    parts = _TITLE_SEPARATOR.split(title, maxsplit=1)
    head = parts[0].strip(" .")
    if len(parts) == 2 and len(head) >= _TITLE_PART_MIN_CHARS:
        found = next((i for i in range(1, len(folded)) if folded[i] == head), None)
        if found is not None:
            return found
    least = max(_SHORT_HEADLINE_MIN_CHARS, _HEADLINE_MIN_SHARE * len(title))
    return next(
        (i for i in range(1, len(folded)) if len(folded[i]) >= least and folded[i] in title), None
    )


def _best_run(weights: list[float]) -> tuple[float, int, int]:
    """``(sum, start, end)`` of the run of lines with the highest sum of weights."""
    best = current = 0.0
    start = best_start = best_end = 0
    for i, weight in enumerate(weights):
        if current <= 0:
            current, start = 0.0, i
        current += weight
        if current > best:
            best, best_start, best_end = current, start, i + 1
    return best, best_start, best_end


def _best_end(weights: list[float], start: int) -> int:
    """The end of the run starting at ``start`` with the highest sum of weights."""
    best = current = 0.0
    end = start + 1
    for i in range(start, len(weights)):
        current += weights[i]
        if current > best:
            best, end = current, i + 1
    return end


def _region_after(headline: int, weights: list[float]) -> tuple[int, int, int] | None:
    """``(start, body, end)``: the region starting with the first prose (``body``) after the
    headline, and with the headline when only a few header lines sit between them (else with
    the line before the prose); None if no prose follows it."""
    first = next((i for i in range(headline, len(weights)) if weights[i] > 0), None)
    if first is None:
        return None
    start = headline if first - headline <= _HEADER_LINES else first - _LEAD_LINES
    return start, first, _best_end(weights, first)


def _checked_region(
    headline: int, region: tuple[int, int, int], weights: list[float]
) -> tuple[int, int, int]:
    """``region`` (found after ``headline``), or the heaviest run of prose before the headline
    when that weighs more than :data:`_LATE_HEADLINE_SHARE` times the region's prose (the
    "headline" is then the title repeated below the article: a next-post link, a teaser),
    or, when the region has hardly any prose (:data:`_SMALL_REGION_WORDS`), the page's
    heaviest run when that weighs more than :data:`_SMALL_REGION_SHARE` times as much."""
    prose = sum(weight for weight in weights[region[1] : region[2]] if weight > 0)
    best, start, end = _best_run(weights[:headline])
    if best > _LATE_HEADLINE_SHARE * prose:
        return max(0, start - _LEAD_LINES), start, end
    if prose < _SMALL_REGION_WORDS:
        best, start, end = _best_run(weights)
        if best > _SMALL_REGION_SHARE * prose and not start <= region[1] < end:
            return max(0, start - _LEAD_LINES), start, end
    return region


def _tail_run(
    weights: list[float],
    start: int,
    end: int,
    lines: int,
    share: float,
    counts: Callable[[int], bool],
    least: int = 0,
    holds: Callable[[int], bool] | None = None,
) -> int:
    """Where the region ``start:end`` really ends: at the first run of ``lines`` lines that are
    not prose and that ``counts`` (by index; a line it does not count breaks the run), at least
    ``least`` of them lines that ``holds``, after which less prose follows than ``share`` of
    what came before it; else ``end``."""
    before, after = 0.0, sum(weight for weight in weights[start:end] if weight > 0)
    run = held = 0
    for i in range(start, end):
        if weights[i] > 0:
            if run >= lines and held >= least and before > 0 and after < share * before:
                return i - run
            before += weights[i]
            after -= weights[i]
            run = held = 0
        elif counts(i):
            run += 1
            held += holds is not None and holds(i)
        else:
            run = held = 0
    return end


def _tail_gap(lines: list[str], weights: list[float], start: int, end: int) -> int:
    """Where the region ``start:end`` really ends: at the first gap (:data:`_GAP_LINES` lines
    that are not prose, :data:`_GAP_OTHER_LINES` of them not short sentences) after which less
    prose follows than :data:`_GAP_TAIL_SHARE` of what came before it. What follows such a gap
    is an author's bio, a newsletter pitch, a teaser list or the comments more often than the
    rest of the article; an article that only pauses for a list or a table goes on with more
    prose than that, and one that goes on in short sentences has no gap."""
    return _tail_run(
        weights,
        start,
        end,
        _GAP_LINES,
        _GAP_TAIL_SHARE,
        lambda _: True,
        least=_GAP_OTHER_LINES,
        holds=lambda i: not _short_sentence(lines[i]),
    )


def _short_sentence(line: str) -> bool:
    """A line of :data:`_SHORT_SENTENCE_MIN_WORDS` words or more that ends like a sentence
    (too short to count as prose: :data:`_PROSE_MIN_WORDS`)."""
    if _words(line) < _SHORT_SENTENCE_MIN_WORDS:
        return False
    return _PROSE_END.search(line.rstrip()) is not None


def _tail_chrome(
    lines: list[str], weights: list[float], start: int, end: int, rules: _Rules
) -> int:
    """Where the region ``start:end`` really ends: at the first chrome line (a share or tag
    line, a list heading, a newsletter prompt...) followed by another line that is not prose,
    after which less prose follows than :data:`_CHROME_TAIL_SHARE` of what came before it:
    the teasers, notes and comments after an article's closing chrome."""
    before, after = 0.0, sum(weight for weight in weights[start:end] if weight > 0)
    for i in range(start, end):
        if weights[i] > 0:
            before += weights[i]
            after -= weights[i]
        elif (
            before > 0
            and after < _CHROME_TAIL_SHARE * before
            and (i + 1 == end or weights[i + 1] <= 0)
            and rules.classify(lines[i], _words(lines[i]), near_edge=False) is not None
        ):
            return i
    return end


def _tail_links(lines: list[str], weights: list[float], body: int, end: int) -> int:
    """Where the region ``body:end`` really ends: at the first run of
    :data:`_LINKS_TAIL_LINES` link-like lines (:func:`_is_link_like`: share buttons, tags, the
    titles of other articles) after which less prose follows than :data:`_LINKS_TAIL_SHARE` of
    what came before it. Unlike :func:`_tail_chrome` it needs no phrase table, so it works
    in any language; unlike :func:`_tail_gap`, only lines that look like links count."""
    return _tail_run(
        weights, body, end, _LINKS_TAIL_LINES, _LINKS_TAIL_SHARE, lambda i: _is_link_like(lines[i])
    )


def _main_region(lines: list[str], rules: _Rules) -> tuple[int, int, int]:
    """``(start, body, end)`` of the page's main region (``body``: its first prose line when
    it starts with a headline and header lines, else ``start``), or all lines when the text
    is not a page (it is already an article: nothing outside, or what is outside is not
    menu-like); either way without a tail that a gap or closing chrome separates from the
    body (:func:`_tail_gap`, :func:`_tail_chrome`, :func:`_tail_links`)."""
    weights = _line_weights(lines)
    headline = _headline(lines)
    region = _region_after(headline, weights) if headline is not None else None
    if region is not None and headline is not None:
        region = _checked_region(headline, region, weights)
    if region is None:
        best, start, end = _best_run(weights)
        if best <= 0:
            return 0, 0, len(lines)
        region = max(0, start - _LEAD_LINES), start, end
    start, body, end = region
    if start != headline:
        body = start
    outside = lines[:start] + lines[end:]
    short = sum(_words(line) < _OUTSIDE_SHORT_WORDS for line in outside)
    if len(outside) < _OUTSIDE_MIN_LINES or short * 2 < len(outside):
        start, body, end = 0, 0, len(lines)
    end = _tail_gap(lines, weights, start, end)
    end = _tail_chrome(lines, weights, start, end, rules)
    return start, body, _tail_links(lines, weights, body, end)


def _is_label(line: str) -> bool:
    """A short line that does not end like a sentence: a kicker, a section name, a date."""
    return _words(line) <= _LABEL_MAX_WORDS and not line.rstrip(_CLOSERS).endswith(_LABEL_ENDS)


def clean_text(text: str, lang: str | None = None) -> Cleaned:
    """The body of a plain-text article with its site chrome removed.

    ``lang`` (an ISO 639-1 code or a hint like "de-AT") selects that language's patterns plus
    the English and universal ones (English and universal alone for a language without a
    table); without it, every language's patterns apply. A whole page's visible text (menus,
    footers, teaser lists around the article) is first cut down to its main region.
    """
    return _clean(text, lang, whole_page=True)


#: Spaces other than U+0020 that may stand between words (no-break, typographic, ideographic).
_OTHER_SPACES = re.compile("[\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def _spaced_out(line: str) -> str:
    """``line`` with the other spaces between its words as spaces (:data:`_OTHER_SPACES`)."""
    return line if line.isascii() else _OTHER_SPACES.sub(" ", line)


def _clean(text: str, lang: str | None, whole_page: bool) -> Cleaned:
    """:func:`clean_text`, with or without looking for a page's main region."""
    blocks = _blocks(nfc(text))
    # the rules read a line's words by its spaces: other spaces between words (a page that
    # writes &nbsp; for every space, U+3000 in Latin text) are read as spaces, kept as written
    lines = [_spaced_out(line) for block in blocks for line in block]
    rules = _rules_for(lang)
    start, body, end = _main_region(lines, rules) if whole_page else (0, 0, len(lines))
    marks = _drop_marks(lines[start:end], rules)
    if whole_page:
        _drop_link_lists(lines[start:end], marks)
    for i in range(start + 1, min(body, end)):  # between the headline and the body's prose
        marks[i - start] = marks[i - start] or _is_label(lines[i])
    drop = iter([True] * start + marks + [True] * (len(lines) - end))
    paragraphs: list[str] = []
    removed: list[str] = []
    for block in blocks:
        kept: list[str] = []
        for line in block:
            (removed if next(drop) else kept).append(line)
        if kept:
            paragraphs.append("\n".join(kept))
    return Cleaned("\n\n".join(paragraphs), tuple(removed))


# -- HTML ---------------------------------------------------------------------------------------

_MAX_REMOVED = 200
_MAX_REMOVED_CHARS = 300
_BLOCK_SET, _INVISIBLE_SET = BLOCK_TAGS, INVISIBLE_TAGS
_HAS_WORD = re.compile(r"\w")


def _visible_blocks(
    tree: HtmlElement, before: dict[HtmlElement, str] | None = None
) -> Iterator[tuple[HtmlElement, str]]:
    """Each block element of ``tree`` with visible text, in document order, and that text: its
    own and that of its inline descendants, without nested blocks and invisible elements.
    ``before``, when given, gets each block that holds nested blocks -> its text before the
    first of them (whitespace collapsed, possibly empty).

    One walk over the tree (start and end events): each open block collects the text that
    falls inside it; an invisible element's subtree is skipped, its tail is not.
    """
    blocks: list[tuple[HtmlElement, list[str]]] = []
    current: list[str] = []  # the innermost open block's text
    open_blocks = [current]
    owners: list[HtmlElement | None] = [None]  # the element of each open block
    nested: dict[HtmlElement, int] = {}  # a block -> its parts before its first nested block
    hidden = 0  # how deep the walk is inside an invisible element
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag
        is_element = isinstance(tag, str)  # not a comment or processing instruction
        if event == "start":
            if is_element and (hidden or tag in _INVISIBLE_SET):
                hidden += 1
            elif is_element:
                if tag in _BLOCK_SET:
                    owner = owners[-1]
                    if owner is not None and owner not in nested:
                        nested[owner] = len(current)
                    current = []
                    open_blocks.append(current)
                    owners.append(element)
                    blocks.append((element, current))
                elif tag == "br":
                    current.append(" ")
                current.append(element.text or "")
            continue
        if is_element and hidden:
            hidden -= 1
        elif is_element and tag in _BLOCK_SET:
            open_blocks.pop()
            owners.pop()
            current = open_blocks[-1]
        if not hidden:
            current.append(element.tail or "")
    for element, parts in blocks:
        if before is not None and element in nested:
            before[element] = nfc(" ".join("".join(parts[: nested[element]]).split()))
        text = " ".join("".join(parts).split())
        if _HAS_WORD.search(text):
            yield element, nfc(text)


def _dropped_blocks(
    blocks: list[tuple[HtmlElement, str]], text: str, title: str | None
) -> tuple[str, ...]:
    """The page's visible blocks that are not part of ``text`` (capped, truncated)."""
    kept = " ".join(text.split())
    seen = {title} if title else set()
    removed: list[str] = []
    for _, block in blocks:
        if block in seen or block in kept:
            continue
        seen.add(block)
        removed.append(block[:_MAX_REMOVED_CHARS])
        if len(removed) == _MAX_REMOVED:
            break
    return tuple(removed)


def _page_title(tree: HtmlElement) -> str | None:
    """The page title from trafilatura's metadata helpers, without its (slow) date search:
    the meta tags (og:title and the like), else JSON-LD, else the page's headings."""
    meta = trafilatura_metadata.examine_meta(tree)
    if not meta.title:
        # trafilatura's own metadata step guards JSON-LD parsing like this ("bugs in
        # json_metadata.py"): a failure there only means the title comes from the page.
        with contextlib.suppress(Exception):
            meta = trafilatura_metadata.extract_meta_json(tree, meta)
    if not meta.title:
        meta.title = trafilatura_metadata.extract_title(tree)
    meta.clean_and_trim()
    return meta.title or None


def _main_text(tree: HtmlElement, url: str | None) -> str:
    """trafilatura's main text of ``tree`` (comments excluded), by its full extraction: its own
    algorithm, checked against its fallbacks (readability, jusText), as ``trafilatura.extract``
    runs by default.

    Fast mode (no fallbacks, the full extraction only when fast mode found under 1,000
    characters) scores the same F on trafilatura's benchmark (``newsstream eval extraction
    --folds 5``: 0.9459 against 0.9462), but it left 19 pages below ``trafilatura.extract``,
    12 of them by what fast mode took or left out; in full, 9 (and 136 above it, 146 before),
    and 6 since the lead's exceptions below: 4 by reader comments, 2 by a dateline or a
    publication date, which the body leaves out by design.
    Never below the reference on a page costs CPU: 27.6 -> 36.1 ms a page (+31%, the 990
    pages, fast and full alternated in one process), about what ``trafilatura.extract`` costs."""
    document = trafilatura.bare_extraction(tree, url=url, include_comments=False, fast=False)
    return document.text if isinstance(document, Document) and document.text else ""


# trafilatura often leaves out an article's lead (standfirst, teaser paragraph): it sits between
# the headline and the element that holds the body, outside what trafilatura takes for the main
# content. The prose blocks right above the body's first paragraph, below the headline (the
# nearest <h1>, at most a few blocks up), are put back in front of the body. A picture's caption
# is no lead, nor is text that follows the body inside the block around it.
_LEAD_MAX_BLOCKS = 8  # the most page blocks between the headline and the body's first paragraph
_LEAD_MAX_PARAGRAPHS = 3  # the most lead paragraphs put back (the ones nearest the body)


def _is_lead_prose(block: str) -> bool:
    """Whether a page block reads like a lead paragraph: prose as the main region counts it
    (:func:`_line_weight`), and no chrome line."""
    words = _words(block)
    if _line_weight(block, words) <= 0:
        return False
    return _RULES[_ALL].classify(block, words, near_edge=True) is None


def _lead(
    blocks: list[tuple[HtmlElement, str]], before: dict[HtmlElement, str], text: str
) -> list[str]:
    """The lead paragraphs ``text`` lacks: the prose blocks between the page's headline (an
    <h1> at most :data:`_LEAD_MAX_BLOCKS` blocks above) and the first block of ``text``, but
    no caption (:func:`_is_caption`), and of a block around that first block only the text
    before it.

    On trafilatura's benchmark (``newsstream eval extraction --folds 5``) the two exceptions
    took three pages back above trafilatura (a caption with its photo credit, a caption in a
    <figure>, a rating widget after the body) and changed no other page."""
    lines = {" ".join(line.split()) for line in text.split("\n")}
    first = next((i for i, (_, block) in enumerate(blocks) if block in lines), None)
    if first is None:
        return []
    above = range(first - 1, max(first - _LEAD_MAX_BLOCKS - 2, -1), -1)
    headline = next((i for i in above if blocks[i][0].tag == "h1"), None)
    if headline is None:
        return []
    kept = " ".join(text.split())
    body = blocks[first][0]
    lead = []
    for element, block in blocks[headline + 1 : first]:
        if any(parent is element for parent in body.iterancestors()):
            # A block around the body: only its text before the body is above it (what
            # follows the body's paragraphs in it is a widget, a rating, a share prompt).
            block = before.get(element, "")
        if block and block not in kept and _is_lead_prose(block) and not _is_caption(element):
            lead.append(block)
    return lead[-_LEAD_MAX_PARAGRAPHS:]


def _is_caption(element: HtmlElement) -> bool:
    """Whether a block is a picture's caption: a <figcaption>, a block inside a <figure>, or a
    block with an image in its own (inline) content beside its text."""
    if element.tag == "figcaption" or any(
        parent.tag == "figure" for parent in element.iterancestors()
    ):
        return True
    return any(_block_of(image) is element for image in element.iter("img"))


def _block_of(node: HtmlElement) -> HtmlElement | None:
    """The nearest block element around ``node``."""
    return next((parent for parent in node.iterancestors() if parent.tag in _BLOCK_SET), None)


# trafilatura drops every character Python does not call printable (``trafilatura.utils.
# remove_control_characters``, to guard its XML against invalid characters), and with them the
# format characters that scripts write: Persian's zero-width non-joiner between a word and its
# suffix (می‌خواهند), the joiners that choose Indic and Sinhala letter forms, the zero-width space
# between Khmer, Burmese, Thai and Lao words, the marks that set the direction of a run of
# Hebrew or Arabic text. All are valid XML. Measured with ``python -m tools.wrapped_articles
# --flores --html`` (FLORES-200 articles in a page): the body paragraphs not found whole in
# trafilatura's text were 98% in Khmer, 94% in Persian, 93% in Sinhala, 66% in Kannada. These
# characters (Unicode's Join_Control and Bidi_Control, the zero-width space, the word joiner)
# go through trafilatura as printable stand-ins, and come back. (The soft hyphen, U+00AD, a
# hint where a word may break, goes, as trafilatura has it.)
_FORMAT_CHARS = (
    "\u200b\u200c\u200d\u2060"  # zero-width space, non-joiner, joiner; word joiner
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # direction
)
# Yijing hexagram symbols: no article body writes them; a page that does, does not get those
_STAND_INS = tuple(map(chr, range(0x4DC0, 0x4E00)))
# one of them in a page's source as an HTML entity (some that are none pass too; a pattern that
# starts with "&" is searched for fast, any other cost a millisecond a page)
_FORMAT_ENTITY = re.compile(
    "&(?:zwn?j|lrm|rlm|ZeroWidthSpace|NoBreak|#(?:0*(?:"
    + "|".join(str(ord(c)) for c in _FORMAT_CHARS)
    + ")|[xX]0*(?:"
    + "|".join(f"{ord(c):x}|{ord(c):X}" for c in _FORMAT_CHARS)
    + ")))"
)


def _may_hold_format_chars(html: str) -> bool:
    """Whether ``html``'s source may write one of :data:`_FORMAT_CHARS`."""
    return any(c in html for c in _FORMAT_CHARS) or _FORMAT_ENTITY.search(html) is not None


def _swapped(text: str, pairs: list[tuple[str, str]]) -> str:
    """``text`` with each pair's first character replaced by its second."""
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def _format_chars_kept(tree: HtmlElement) -> tuple[HtmlElement, Callable[[str], str]]:
    """``tree`` for trafilatura and the function that gives back what it extracts from it as the
    page wrote it: when the page holds :data:`_FORMAT_CHARS`, a copy of ``tree`` with each
    replaced by one of the :data:`_STAND_INS` the page does not hold, and the reverse."""
    page = "".join(t for node in tree.iter() for t in (node.text, node.tail) if t)
    present = [c for c in _FORMAT_CHARS if c in page]
    if not present:
        return tree, str
    free = [c for c in _STAND_INS if c not in page]
    if len(free) < len(present):
        return tree, str
    there = list(zip(present, free, strict=False))
    back = [(new, old) for old, new in there]
    protected = copy.deepcopy(tree)
    for node in protected.iter():
        if node.text:
            node.text = _swapped(node.text, there)
        if node.tail:
            node.tail = _swapped(node.tail, there)
    return protected, lambda text: _swapped(text, back)


def clean_html(html: str, url: str | None = None) -> Cleaned:
    """The main content of an HTML page, its title and the visible blocks left out.

    trafilatura extracts the main content (comments excluded; its full extraction, see
    :func:`_main_text`); its lines then go through the plain-text rules, which drop the chrome
    trafilatura keeps ("Read more: ..." links, credits, newsletter prompts), and the lead
    paragraphs it left out between the headline and the body are put back (:func:`_lead`).
    Empty, script-only or unparsable pages give ``Cleaned(text="")``.
    """
    tree = load_html(html) if html.strip() else None
    if tree is None:
        return Cleaned("")
    protected, as_written = (
        _format_chars_kept(tree) if _may_hold_format_chars(html) else (tree, str)
    )
    text = _clean(as_written(_main_text(protected, url)), None, whole_page=False).text
    before: dict[HtmlElement, str] = {}  # a block around others -> its text before them
    blocks = list(_visible_blocks(tree, before))
    if text:
        text = "\n\n".join([*_lead(blocks, before, text), text])
    title = _page_title(protected)
    title = as_written(title) if title else title
    return Cleaned(text, _dropped_blocks(blocks, text, title), title)
