"""Stage "boilerplate", learning a source's chrome: pure half, no I/O, no Kafka.

A site wraps every article in the same chrome. Lines that recur across many different articles
of one source are that source's chrome, whatever language or wording it uses, so they can be
removed from later articles of the source even when no pattern of :mod:`agents.boilerplate`
knows them. The state of one source is a :class:`SourceChrome`: a decayed count per normalised
line hash, bounded in size, serialisable to a plain dict (the value of a Faust table keyed by
source, RocksDB + changelog). The wiring reads ``news.raw`` articles (after the pattern stage)
and writes ``news.prepared``; this module only does the arithmetic:

- :func:`learn` ``(state, lines) -> state``: one more article of the source seen;
- :func:`strip` ``(state, lines) -> (kept, removed)``: the article without the learned chrome.

A line is chrome when it has appeared in at least ``min_articles`` distinct articles of the
source *and* in at least ``min_share`` of the source's articles since it first appeared
(exponentially decayed, so a line that stopped recurring fades out within ``window`` articles).
Identical articles (a redelivery, a re-published copy) count once. A learned line standing
alone between body lines is kept when it is long (a sentence quoted in the body), removed when
it is a short label (an inline "SPONSORED"-like marker).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_FORMAT = 1  # version of the dict form; bump on an incompatible change


@dataclass(frozen=True, slots=True)
class LearnOptions:
    """Thresholds and bounds of chrome learning (one object for every source)."""

    window: int = 100  # K: a line's weight halves in ~0.7 K articles without it
    max_lines: int = 500  # most line hashes tracked per source; the weakest go first
    min_articles: int = 4  # M: distinct articles a line must have been in
    min_share: float = 0.5  # ...and the decayed share of articles since it first appeared
    max_chars: int = 400  # longer lines (paragraphs) are never learned
    max_lines_per_article: int = 300  # an article's first distinct lines only
    isolated_max_words: int = 4  # a learned line alone inside the body goes only up to this


@dataclass(frozen=True, slots=True)
class LineStat:
    """What one source has seen of one normalised line."""

    weight: float  # decayed number of articles containing it, as of article ``last``
    first: int  # sequence number of the first article that contained it
    last: int  # sequence number of the latest article that contained it
    articles: int  # distinct articles that contained it (not decayed)


@dataclass(frozen=True, slots=True)
class SourceChrome:
    """The learned chrome of one source: immutable; :func:`learn` returns a new one."""

    seq: int = 0  # distinct articles learned from so far
    recent: tuple[str, ...] = ()  # fingerprints of the latest articles (duplicates count once)
    lines: Mapping[str, LineStat] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the Faust table value)."""
        return {
            "v": _FORMAT,
            "seq": self.seq,
            "recent": list(self.recent),
            "lines": {
                key: [round(stat.weight, 4), stat.first, stat.last, stat.articles]
                for key, stat in self.lines.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> SourceChrome:
        """The state a :meth:`to_dict` dict describes; empty for None or another format."""
        if not data or data.get("v") != _FORMAT:
            return cls()
        lines = {
            str(key): LineStat(float(w), int(first), int(last), int(n))
            for key, (w, first, last, n) in data.get("lines", {}).items()
        }
        return cls(int(data.get("seq", 0)), tuple(map(str, data.get("recent", ()))), lines)


@functools.lru_cache(maxsize=8192)
def line_key(line: str) -> str:
    """The hash a line is tracked by: case, whitespace and digit runs do not matter.

    Cached: :func:`strip` and :func:`learn` key the same lines of an article, and a source's
    chrome lines come back in every article."""
    canonical = _DIGITS.sub("0", _SPACE.sub(" ", line).strip().casefold())
    return hashlib.blake2b(canonical.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _fingerprint(keys: Iterable[str]) -> str:
    """A hash of an article's line keys, to count an identical article once."""
    digest = hashlib.blake2b(digest_size=8)
    for key in keys:
        digest.update(key.encode("ascii"))
    return digest.hexdigest()


def _decay(options: LearnOptions) -> float:
    return 1.0 - 1.0 / max(options.window, 1)


def _article_keys(lines: Iterable[str], options: LearnOptions) -> list[str]:
    """The distinct keys of an article's learnable lines, in order, capped."""
    keys: dict[str, None] = {}
    for line in lines:
        stripped = line.strip()
        if stripped and len(stripped) <= options.max_chars:
            keys.setdefault(line_key(stripped))
            if len(keys) >= options.max_lines_per_article:
                break
    return list(keys)


def learn(
    state: SourceChrome, lines: Sequence[str], options: LearnOptions | None = None
) -> SourceChrome:
    """``state`` after one more article (its lines, chrome included) of the source.

    An article identical to one of the latest ``window`` learned leaves the state unchanged.
    """
    options = options or LearnOptions()
    keys = _article_keys(lines, options)
    if not keys:
        return state
    fingerprint = _fingerprint(keys)
    if fingerprint in state.recent:
        return state
    seq = state.seq + 1
    decay = _decay(options)
    stats = dict(state.lines)
    for key in keys:
        old = stats.get(key)
        if old is None:
            stats[key] = LineStat(1.0, seq, seq, 1)
        else:
            weight = old.weight * decay ** (seq - old.last) + 1.0
            stats[key] = LineStat(weight, old.first, seq, old.articles + 1)
    recent = (*state.recent, fingerprint)[-options.window :]
    return SourceChrome(seq, recent, _bounded(stats, seq, options))


def _current_weight(stat: LineStat, seq: int, decay: float) -> float:
    return stat.weight * decay ** (seq - stat.last)


def _bounded(stats: dict[str, LineStat], seq: int, options: LearnOptions) -> dict[str, LineStat]:
    """At most ``max_lines`` entries: past it, the ones with the lowest current weight are
    dropped down to 90% of it (so the ranking runs once per several articles, not each one)."""
    if len(stats) <= options.max_lines:
        return stats
    decay = _decay(options)
    ranked = sorted(
        stats.items(), key=lambda item: (_current_weight(item[1], seq, decay), item[1].last)
    )
    keep = max(1, options.max_lines * 9 // 10)
    return dict(ranked[len(stats) - keep :])


def share(stat: LineStat, seq: int, options: LearnOptions) -> float:
    """The decayed share of the source's articles since ``stat``'s line first appeared that
    contained it (1.0 for a line in every one of them)."""
    decay = _decay(options)
    since_first = seq - stat.first + 1
    possible = (1.0 - decay**since_first) / (1.0 - decay) if decay < 1.0 else since_first
    return _current_weight(stat, seq, decay) / possible


def is_chrome(state: SourceChrome, line: str, options: LearnOptions | None = None) -> bool:
    """Whether ``line`` is learned chrome of the source ``state`` describes."""
    options = options or LearnOptions()
    stripped = line.strip()
    if not stripped or len(stripped) > options.max_chars:  # never learned
        return False
    stat = state.lines.get(line_key(stripped))
    if stat is None or stat.articles < options.min_articles:
        return False
    return share(stat, state.seq, options) >= options.min_share


def strip(
    state: SourceChrome, lines: Sequence[str], options: LearnOptions | None = None
) -> tuple[list[str], list[str]]:
    """``lines`` split into the ones kept and the learned chrome removed, each in order.

    Blank lines are kept. A learned line with body lines on both sides (the nearest non-blank
    neighbours are not chrome) is kept when it has more than ``isolated_max_words`` words.
    """
    options = options or LearnOptions()
    chrome = [is_chrome(state, line, options) for line in lines]
    content = [i for i, line in enumerate(lines) if line.strip()]
    kept: list[str] = []
    removed: list[str] = []
    for position, i in enumerate(content):
        if chrome[i] and _isolated_quote(lines, chrome, content, position, options):
            chrome[i] = False
    for line, drop in zip(lines, chrome, strict=True):
        (removed if drop else kept).append(line)
    return kept, removed


def _isolated_quote(
    lines: Sequence[str],
    chrome: list[bool],
    content: list[int],
    position: int,
    options: LearnOptions,
) -> bool:
    """Whether the chrome line at ``content[position]`` stands alone between body lines and is
    long enough to be a sentence the body quotes."""
    if position == 0 or position == len(content) - 1:
        return False
    before, after = content[position - 1], content[position + 1]
    if chrome[before] or chrome[after]:
        return False
    return len(lines[content[position]].split()) > options.isolated_max_words


class ChromeMemory:
    """The learned chrome of the sources a worker sees, kept as :class:`SourceChrome` objects
    between articles and checkpointed to ``backend`` (the Faust table: RocksDB + changelog).

    Rebuilding a source's state from its dict form and writing it back for every article cost
    more than the rest of the learning; here a source's state is written to ``backend`` every
    ``checkpoint_every`` articles of it, and when it leaves the in-memory cache (at most
    ``max_cached`` sources). :meth:`forget` drops the cache (after a rebalance): the states
    are read again from ``backend``, so a crash or a rebalance forgets at most the last
    ``checkpoint_every - 1`` articles of learning per source. With ``checkpoint_every=1`` every
    article is written through.
    """

    def __init__(
        self,
        backend: MutableMapping[str, Any],
        checkpoint_every: int = 20,
        max_cached: int = 2048,
    ) -> None:
        self.backend = backend
        self.checkpoint_every = max(1, checkpoint_every)
        self.max_cached = max(1, max_cached)
        self._cache: OrderedDict[str, tuple[SourceChrome, int]] = OrderedDict()

    def get(self, source: str) -> SourceChrome:
        """The chrome learned for ``source`` (empty if none)."""
        cached = self._cache.get(source)
        if cached is not None:
            self._cache.move_to_end(source)
            return cached[0]
        return SourceChrome.from_dict(self.backend.get(source))

    def put(self, source: str, state: SourceChrome) -> None:
        """Record ``source``'s new state; checkpoint it when due."""
        previous = self._cache.pop(source, None)
        if previous is not None and previous[0] is state:
            self._cache[source] = previous  # unchanged (a repeated article)
            return
        pending = (previous[1] if previous is not None else 0) + 1
        if pending >= self.checkpoint_every:
            self.backend[source] = state.to_dict()
            pending = 0
        self._cache[source] = (state, pending)
        while len(self._cache) > self.max_cached:
            old, (old_state, old_pending) = self._cache.popitem(last=False)
            if old_pending:
                self.backend[old] = old_state.to_dict()

    def forget(self) -> None:
        """Drop the cache (unwritten learning included): read from ``backend`` from now on."""
        self._cache.clear()
