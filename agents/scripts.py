"""Writing systems of a text, for the language stage: text in, letters per script out.

Pure helpers of :mod:`agents.language`. Some scripts are written by one language only
(Greek, Georgian, Armenian, Thai, Hangul, kana…): there the script decides and no model is
asked. Others narrow the candidates (Hebrew: Hebrew or Yiddish; Bengali: Bengali or
Assamese…). Latin, Cyrillic and Arabic leave the decision to the models.

Code-point ranges are the Unicode blocks (Unicode Standard, "Blocks.txt").

And how a text's words are read in any script (:func:`readable`): without the invisible
characters that are no part of a word (soft hyphens, direction marks), for the language,
evidence and words stages alike.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

import regex

#: Script name -> the character class of its letters (Unicode block ranges).
_RANGES: Final[dict[str, str]] = {
    "latin": "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff",
    "greek": "\u0370-\u03ff\u1f00-\u1fff",
    "cyrillic": "\u0400-\u052f",
    "armenian": "\u0531-\u058f",
    "hebrew": "\u0590-\u05ff",
    "arabic": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff",
    "thaana": "\u0780-\u07bf",
    "devanagari": "\u0900-\u097f",
    "bengali": "\u0980-\u09ff",
    "gurmukhi": "\u0a00-\u0a7f",
    "gujarati": "\u0a80-\u0aff",
    "oriya": "\u0b00-\u0b7f",
    "tamil": "\u0b80-\u0bff",
    "telugu": "\u0c00-\u0c7f",
    "kannada": "\u0c80-\u0cff",
    "malayalam": "\u0d00-\u0d7f",
    "sinhala": "\u0d80-\u0dff",
    "thai": "\u0e00-\u0e7f",
    "lao": "\u0e80-\u0eff",
    "tibetan": "\u0f00-\u0fff",
    "myanmar": "\u1000-\u109f",
    "georgian": "\u10a0-\u10ff\u1c90-\u1cbf",
    "hangul": "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af",
    "ethiopic": "\u1200-\u139f",
    "khmer": "\u1780-\u17ff",
    "kana": "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f",
    "han": "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff",
}

#: Scripts that only one language among those we report is written in.
SCRIPT_LANGUAGE: Final[dict[str, str]] = {
    "greek": "el",
    "armenian": "hy",
    "georgian": "ka",
    "thai": "th",
    "lao": "lo",
    "hangul": "ko",
    "kana": "ja",
    "khmer": "km",
    "myanmar": "my",
    "sinhala": "si",
    "tamil": "ta",
    "telugu": "te",
    "kannada": "kn",
    "malayalam": "ml",
    "gujarati": "gu",
    "gurmukhi": "pa",
    "oriya": "or",
    "tibetan": "bo",
    "thaana": "dv",
    "ethiopic": "am",
    # Han without kana: Chinese. Japanese sentences carry kana; a kanji-only Japanese word or
    # name cannot be told from Chinese by its letters, and no model here does better on it.
    "han": "zh",
}

#: Scripts shared by a few languages: the models choose among these (lid.176 labels).
SCRIPT_CANDIDATES: Final[dict[str, frozenset[str]]] = {
    "hebrew": frozenset({"he", "yi"}),
    "bengali": frozenset({"bn", "as", "bpy"}),
    "devanagari": frozenset({"hi", "mr", "ne", "sa", "mai", "bh", "new", "gom", "dty"}),
    "cyrillic": frozenset(
        (
            *("ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "tg", "mn", "ba", "tt", "cv"),
            *("ce", "os", "sah", "av", "krc", "kv", "lez", "mhr", "mrj", "myv", "rue", "tyv"),
            *("xal", "bxr", "uz"),
        )
    ),
    "arabic": frozenset(
        ("ar", "arz", "fa", "ur", "ps", "ckb", "sd", "ug", "azb", "mzn", "lrc", "pnb", "ku")
    ),
}

#: lid.176 labels never written in Latin letters: dropped when the text is in Latin script.
NOT_LATIN: Final = frozenset().union(
    *SCRIPT_CANDIDATES.values(), SCRIPT_LANGUAGE.values(), {"ja", "yue", "wuu", "xmf"}
) - {"sr", "uz", "ku"}

#: Labels dropped from a text mostly in Latin letters that has a second script
#: (:func:`second_script`): those of other scripts than these two.
NOT_LATIN_BESIDE: Final[dict[str, frozenset[str]]] = {
    script: NOT_LATIN - SCRIPT_CANDIDATES.get(script, frozenset({SCRIPT_LANGUAGE.get(script, "")}))
    for script in (*SCRIPT_LANGUAGE, *SCRIPT_CANDIDATES)
}

# One run = letters of one script, with the spaces, digits and punctuation between them, so
# that a sentence is one match and counting stays cheap on long passages.
_GAP = r"\s\d!-/:-@\[-`{-~\u00a0-\u00bf\u2000-\u206f\u3000-\u303f\uff01-\uff20"
_RUNS: Final = re.compile(
    "|".join(f"(?P<{name}>[{chars}][{chars}{_GAP}]*)" for name, chars in _RANGES.items())
)
_ASCII_LETTER: Final = re.compile("[A-Za-z]")
#: Share of kana among Han + kana letters above which the text is Japanese.
_KANA_SHARE: Final = 0.1
#: Share of a text's letters a script other than Latin needs, beside Latin ones, for its
#: languages to stay candidates (:func:`second_script`). Chosen on FLORES-200 dev's word
#: pairs (0.05 and 0.1 tie, 0.15 and 0.25 leave Burmese, Greek and Khmer pairs below lid.176).
SECOND_SCRIPT_SHARE: Final = 0.1


def script_letters(text: str) -> dict[str, int]:
    """Letters of ``text`` per script (``{"latin": 40, "greek": 3}``); others are ignored.

    Approximate by design (a run's characters less its spaces): enough to tell which script
    dominates, and cheap on long passages.
    """
    if text.isascii():
        if not _ASCII_LETTER.search(text):
            return {}
        return {"latin": len(text) - text.count(" ")}
    counts: dict[str, int] = {}
    for match in _RUNS.finditer(text):
        script = match.lastgroup or ""
        run = match.group()
        counts[script] = counts.get(script, 0) + len(run) - run.count(" ")
    return counts


def second_script(counts: dict[str, int]) -> str | None:
    """The script other than Latin with the most letters when it has at least
    :data:`SECOND_SCRIPT_SHARE` of them (Han and kana merged as in :func:`dominant_script`),
    else None. Beside Latin letters, its letters are the language's and the Latin ones mostly
    names, units and brands ("Buffalo τον", "스트리트(Sesame Street)와", "UNESCOৰ বিশ্ব")."""
    others = _han_and_kana_merged({s: n for s, n in counts.items() if s != "latin"})
    if not others:
        return None
    script = max(others, key=others.__getitem__)
    return script if others[script] >= SECOND_SCRIPT_SHARE * sum(counts.values()) else None


def _han_and_kana_merged(counts: dict[str, int]) -> dict[str, int]:
    """``counts`` with Han and kana as one script: Japanese when kana is more than
    :data:`_KANA_SHARE` of the two, else Chinese."""
    merged = dict(counts)
    kana = merged.pop("kana", 0)
    han = merged.pop("han", 0)
    if kana + han:
        merged["kana" if kana > _KANA_SHARE * (kana + han) else "han"] = kana + han
    return merged


def dominant_script(counts: dict[str, int]) -> tuple[str, float]:
    """The script with the most letters and its share of all letters (``("", 0.0)`` if none).

    Han and kana count as one script, Japanese when kana is more than a tenth of it: Japanese
    is written in both, Chinese in Han only.
    """
    total = sum(counts.values())
    if not total:
        return "", 0.0
    merged = _han_and_kana_merged(counts)
    script = max(merged, key=merged.__getitem__)
    return script, merged[script] / total


#: Invisible characters that are no part of a word: a hint where a word may break (the soft
#: hyphen, "Mer\xadkel"), the marks and controls of a run's direction (Unicode's Bidi_Control),
#: the word joiner; and the zero-width space, which Khmer, Burmese, Thai and Lao write between
#: words (a space to the reader, where it stands between two). Kept in a body as the page wrote
#: them, read without them.
_INVISIBLE: Final = re.compile("[\xad\u061c\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\u200b]")
_BETWEEN_WORDS: Final = re.compile("(?<=\\S)\u200b+(?=\\S)")
#: Spaces other than the space (Unicode's space separators: no-break, narrow no-break as French
#: writes before "?" and between a number's thousands, thin, ideographic...) and the tab: read as
#: the space, so that a full name or a number written with one is the one written with a space.
_OTHER_SPACES: Final = re.compile("[\t\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_UNREAD: Final = re.compile(f"{_INVISIBLE.pattern}|{_OTHER_SPACES.pattern}")


#: Letters and digits in compatibility forms: full width (East Asian typesetting: "ＢＢＣ",
#: "２０２４") and the mathematical alphanumerics (bold, italic, script, double-struck…: the
#: "fonts" of social posts, "𝐁𝐫𝐞𝐚𝐤𝐢𝐧𝐠"). Punctuation keeps its form.
_COMPATIBLE: Final = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\U0001d400-\U0001d7ff]")
_COMPATIBLE_RANGES: Final = (
    (0xFF10, 0xFF19),
    (0xFF21, 0xFF3A),
    (0xFF41, 0xFF5A),
    (0x1D400, 0x1D7FF),
)


@functools.cache
def _plain_forms() -> dict[int, str]:
    """:data:`_COMPATIBLE`'s characters -> their letter or digit (Unicode's NFKC of each)."""
    table: dict[int, str] = {}
    for low, high in _COMPATIBLE_RANGES:
        for code in range(low, high + 1):
            plain = unicodedata.normalize("NFKC", chr(code))
            if len(plain) == 1 and plain != chr(code):
                table[code] = plain
    return table


def readable(text: str) -> str:
    """``text`` as its words are read: letters and digits in compatibility forms as the
    letters and digits they are (:data:`_COMPATIBLE`: lid.176 read FLORES-200 sentences in
    full-width or mathematical bold Latin as another language, 50-52% right against 87%),
    other spaces as the space (:data:`_OTHER_SPACES`), a zero-width space between two words a
    space, the rest of :data:`_INVISIBLE` left out (a title stays the prefix of a text that
    starts with it: each character is read alone)."""
    if _COMPATIBLE.search(text) is not None:
        text = text.translate(_plain_forms())
    if _UNREAD.search(text) is None:
        return text
    return _INVISIBLE.sub("", _BETWEEN_WORDS.sub(" ", _OTHER_SPACES.sub(" ", text)))


#: Two capitals, then two more with no small letter or line break between: a sign that the
#: line may be in capitals ("KEY POINTS", "NATO-EU"; not "EU and NATO").
_LOUD: Final = regex.compile(r"\p{Lu}{2}[^\p{Ll}\n]*\p{Lu}{2}")
_CAPITAL: Final = regex.compile(r"\p{Lu}")
_LETTER: Final = regex.compile(r"\p{L}")
#: A line in capitals has at least this many capitals...
SHOUTED_MIN_CAPITALS: Final = 3
#: ...and at most this many other letters (small, or of a script without case) a capital.
SHOUTED_MAX_OTHERS: Final = 0.25


def shouted_lines(text: str) -> list[tuple[int, int]]:
    """The spans (start, end) of ``text``'s lines in capitals (:func:`shouted`), in order.
    Only lines with four capitals in two pairs and no small letter between them are read."""
    spans: list[tuple[int, int]] = []
    end = -1
    for match in _LOUD.finditer(text):
        if match.start() < end:
            continue  # a line already read
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        if end < 0:
            end = len(text)
        if shouted(text[start:end]):
            spans.append((start, end))
    return spans


def shouted(line: str) -> bool:
    """Whether ``line`` is written in capitals (a headline, a kicker, a wire slug as some
    sites and agencies write them): at least :data:`SHOUTED_MIN_CAPITALS` capital letters and
    hardly another letter (:data:`SHOUTED_MAX_OTHERS`). Then its words' case says nothing of
    what they are: each is capitalised, a name or not. Not in capitals: a dateline
    ("CHISINAU, Moldova (AP)."), whose place is written so to be read as a name, nor a line of
    another script with an acronym or a brand in it (Hebrew with "USB", Chinese with "WEB
    TOKACHI")."""
    capitals = len(_CAPITAL.findall(line))
    if capitals < SHOUTED_MIN_CAPITALS:
        return False
    return len(_LETTER.findall(line)) - capitals <= SHOUTED_MAX_OTHERS * capitals
