"""An article's words, weighed against the open events' (TF-IDF): the grouping's evidence that
two reports written independently tell one story.

Names, places and numbers (:mod:`agents.evidence`) are what translations share; reports of
one event by different outlets share them less, but they share the event's own words ("quake",
"magnitude", "epicentre", "aftershocks"), which the other events open at the time do not use.
The words of an article are weighed by how rare they are among the open events' members in
its language (an inverse document frequency over the window, so that a language's function
words weigh nothing in any language, without a list of them; counted per language, as the
function words of a language that is a sixth of the stream would otherwise weigh as much as a
rare word), and two articles in one language are compared by the cosine of their weighted
words.

* :func:`topic_words`: a text -> its words, packed (``Member.words`` in the ``events`` table):
  the first :data:`MAX_WORDS` distinct words of :data:`MIN_LETTERS` letters or more, case
  folded, each as a 28-bit hash with its count in the text (at most 15) in the low 4 bits; in
  scripts written without spaces (Chinese, Japanese, Thai, Korean), each pair of adjacent
  characters counts as a word.
* :class:`WordIndex`: the open members' words and their document frequencies per language;
  the cosine of an article's words with a member's in its language.

No I/O, no Kafka; the grouping stage keeps a :class:`WordIndex` beside its other indexes.
"""

from __future__ import annotations

import base64
import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import Any, Final

import numpy as np
import regex

from agents.scripts import readable

#: Distinct words kept of an article (in text order; about its first 1,500 characters in a
#: European language): 512 bytes, 684 characters in the events table (as much as the
#: embedding), 640 bytes in memory. 64, 128 and 256 join the same share of the SemEval
#: same-story pairs (53.8%, 53.1%, 53.1%), whose texts are cut to ~1,000 characters.
MAX_WORDS: Final = 128
#: Letters a word needs to count in a script written with spaces (shorter ones are mostly
#: function words, whose weight would be near zero anyway).
MIN_LETTERS: Final = 4
#: Characters of a text read for its words (the first :data:`MAX_WORDS` distinct ones are
#: within the first ~1,500 in a European language; the rest only adds to their counts).
SCAN_CHARS: Final = 4_000
_COUNT_BITS: Final = 4
_MAX_COUNT: Final = (1 << _COUNT_BITS) - 1
#: A word's weight in its text for each count (1 + log count; 0 unused).
_TF: Final = np.concatenate(([0.0], 1.0 + np.log(np.arange(1, _MAX_COUNT + 1, dtype=np.float64))))

# A word's letters with their combining marks (the `regex` module's \w holds marks, Python's
# `re` does not: with `re`, Devanagari, Bengali, Tamil... words broke at every vowel sign and
# no word of four letters was left). MIN_LETTERS counts code points, marks included.
_WORD = regex.compile(r"[^\W\d_]+")
_LONG_WORD = regex.compile(rf"[^\W\d_]{{{MIN_LETTERS},}}")
# Scripts written without spaces: CJK ideographs, kana, Hangul syllables, Thai, Lao, Khmer,
# Myanmar (the same ranges as prepare's word count, with Lao, Khmer and Myanmar).
_UNSPACED = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0eff\u1000-\u109f"
    r"\u1780-\u17ff]+"
)


def _tokens(text: str) -> list[str]:
    """The text's words in order: letter runs of :data:`MIN_LETTERS` or more, case folded;
    adjacent character pairs in runs of unspaced scripts."""
    text = readable(text[:SCAN_CHARS])
    if _UNSPACED.search(text) is None:  # most texts: the long runs only, in one pass
        return [word.casefold() for word in _LONG_WORD.findall(text)]
    out: list[str] = []
    for run in _WORD.findall(text):
        if _UNSPACED.search(run) is None:
            if len(run) >= MIN_LETTERS:
                out.append(run.casefold())
            continue
        # a run mixing scripts ("iPhone手机"): its spaced parts as words, its unspaced as pairs
        last = 0
        for match in _UNSPACED.finditer(run):
            spaced = run[last : match.start()]
            if len(spaced) >= MIN_LETTERS:
                out.append(spaced.casefold())
            chars = match.group()
            out.extend(chars[i : i + 2] for i in range(len(chars) - 1))
            last = match.end()
        if len(run) - last >= MIN_LETTERS:
            out.append(run[last:].casefold())
    return out


def topic_words(text: str) -> str | None:
    """``text``'s words packed as sorted uint32 (28-bit hash, 4-bit count), base64; None when
    it has none."""
    tokens = _tokens(text)
    if not tokens:
        return None
    counts = Counter(tokens)  # in the order of first use
    packed: dict[int, int] = {}
    for word, count in islice(counts.items(), MAX_WORDS):
        hashed = zlib.crc32(word.encode("utf-8", "surrogatepass")) >> _COUNT_BITS
        # two words of one hash (rare): one entry, their counts added
        packed[hashed] = min(_MAX_COUNT, packed.get(hashed, 0) + count)
    values = np.fromiter(
        ((h << _COUNT_BITS) | c for h, c in packed.items()), dtype=np.uint32, count=len(packed)
    )
    values.sort()
    return base64.b64encode(values.astype("<u4").tobytes()).decode("ascii")


def unpack(encoded: str | None) -> np.ndarray | None:
    """:func:`topic_words`' output as its uint32 array; None for None or a malformed value."""
    if not encoded:
        return None
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        return None
    if not raw or len(raw) % 4:
        return None
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


@dataclass(frozen=True, slots=True)
class ArticleWords:
    """An article's words weighed against the index (:meth:`WordIndex.weigh`)."""

    lang: str
    hashes: np.ndarray  # sorted 28-bit hashes
    weights: np.ndarray  # their TF-IDF weights, divided by the vector's norm

    def packed(self) -> str:
        """The weights as sent to a shard (float32, little-endian, base64; in the order of
        :attr:`hashes`, which the words themselves give): :func:`given_words` reads them."""
        return base64.b64encode(self.weights.astype("<f4").tobytes()).decode("ascii")


def given_words(encoded: str | None, lang: str, weights: str | None) -> ArticleWords | None:
    """An article's words (:func:`topic_words`) with the weights another index gave them
    (:meth:`ArticleWords.packed`): None when either is missing or they do not fit (a weight
    per word, finite, a unit vector)."""
    values = unpack(encoded)
    if values is None or not weights:
        return None
    try:
        raw = base64.b64decode(weights, validate=True)
    except ValueError:
        return None
    if len(raw) != 4 * len(values):
        return None
    unit = np.frombuffer(raw, dtype="<f4").astype(np.float64)
    if not np.all(np.isfinite(unit)) or abs(float(np.dot(unit, unit)) - 1.0) > 1e-3:
        return None
    return ArticleWords(lang, values >> _COUNT_BITS, unit)


class Unweighed:
    """The default of :meth:`WordIndex.add`'s ``weighed``: weigh the member there."""


UNWEIGHED: Final = Unweighed()


class WordIndex:
    """The words of the open events' members (one entry per member id) and, per language and
    word, how many of them use it: the document frequency the weights are taken from.

    A member keeps the unit vector its words had when it came in, weighed as an article is
    weighed then (stored, not recomputed: a member's weights drift little once the index holds a
    few hundred members of its language, and comparing costs one intersection and one dot
    product); an article is weighed with the frequencies of the moment.
    """

    __slots__ = ("_df", "_last", "_members", "_sizes")

    def __init__(self) -> None:
        #: language -> word hash -> the members of that language that use it
        self._df: dict[str, dict[int, int]] = {}
        #: language -> its members
        self._sizes: dict[str, int] = {}
        #: member id -> [lang, hashes (uint32), unit weights (float32), references]
        self._members: dict[str, list[Any]] = {}
        #: The last text weighed, while the frequencies have not changed: an article is
        #: weighed to be matched, then again as it comes in.
        self._last: tuple[str, str, ArticleWords | None] | None = None

    def __len__(self) -> int:
        return len(self._members)

    def size(self, lang: str) -> int:
        """The members in ``lang``."""
        return self._sizes.get(lang, 0)

    def clear(self) -> None:
        self._last = None
        self._df.clear()
        self._sizes.clear()
        self._members.clear()

    def _idfs(self, lang: str, hashes: list[int]) -> np.ndarray:
        """Words' inverse document frequencies in ``lang`` for a text not in the index, which
        counts as one more document: near 0 for a word every member uses."""
        df = self._df.get(lang, {})
        n = self._sizes.get(lang, 0) + 2
        return np.fromiter((math.log(n / (df.get(h, 0) + 1.5)) for h in hashes), float, len(hashes))

    def add(
        self,
        member_id: str,
        encoded: str | None,
        lang: str,
        weighed: ArticleWords | Unweighed | None = UNWEIGHED,
    ) -> None:
        """A member's words (:func:`topic_words`) in ``lang`` into the index; a second add of
        one id counts only as a reference (a member in two events). ``weighed``: its weights
        as another index gave them (a shard's member, weighed by the coordinator over the
        whole stream's); by default weighed here, as an article is, before it is in."""
        held = self._members.get(member_id)
        if held is not None:
            held[3] += 1
            return
        if isinstance(weighed, Unweighed):
            weighed = self.weigh(encoded, lang)
        if weighed is None:
            return
        self._last = None
        df = self._df.setdefault(lang, {})
        for hashed in weighed.hashes.tolist():
            df[hashed] = df.get(hashed, 0) + 1
        self._sizes[lang] = self._sizes.get(lang, 0) + 1
        self._members[member_id] = [lang, weighed.hashes, weighed.weights.astype(np.float32), 1]

    def remove(self, member_id: str) -> None:
        """One reference of a member fewer; its words leave the index with the last."""
        held = self._members.get(member_id)
        if held is None:
            return
        held[3] -= 1
        if held[3] > 0:
            return
        del self._members[member_id]
        self._last = None
        lang = held[0]
        df = self._df[lang]
        for hashed in held[1].tolist():
            left = df[hashed] - 1
            if left:
                df[hashed] = left
            else:
                del df[hashed]
        self._sizes[lang] -= 1
        if not self._sizes[lang]:
            del self._sizes[lang], self._df[lang]

    def weigh(self, encoded: str | None, lang: str) -> ArticleWords | None:
        """An article's words (:func:`topic_words`, not in the index) in ``lang`` weighed:
        None when it has none."""
        last = self._last
        if last is not None and last[0] == encoded and last[1] == lang:
            return last[2]
        weighed = self._weigh(encoded, lang)
        if encoded is not None:
            self._last = (encoded, lang, weighed)
        return weighed

    def _weigh(self, encoded: str | None, lang: str) -> ArticleWords | None:
        values = unpack(encoded)
        if values is None:
            return None
        hashes = values >> _COUNT_BITS
        weights = _TF[values & _MAX_COUNT] * self._idfs(lang, hashes.tolist())
        norm = float(np.sqrt(np.sum(weights**2)))
        if norm <= 0.0:
            return None
        return ArticleWords(lang, hashes, weights / norm)

    def cosine(self, article: ArticleWords, member_id: str) -> float:
        """The cosine of an article's weighed words with a member's in its language (0 without
        its words, or in another language)."""
        held = self._members.get(member_id)
        if held is None or held[0] != article.lang:
            return 0.0
        ours = article.hashes
        theirs: np.ndarray = held[1]
        # both sorted: where each of the member's words would be among the article's
        at = np.searchsorted(ours, theirs)
        at[at == len(ours)] = 0
        common = ours[at] == theirs
        return float(np.dot(article.weights[at[common]], held[2][common]))
