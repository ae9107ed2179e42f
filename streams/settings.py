"""Settings: the one place environment variables are read.

Every knob is a ``NEWSSTREAM_*`` variable with a documented default (see README, "Settings").
The frozen :class:`Settings` is built once by :func:`load_settings` and passed on explicitly:
numbers checked against their ranges, choices as enums, paths as paths, so that every command
refuses a bad value in one line naming the variable (:class:`SettingsError`).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


class SecondDetector(enum.StrEnum):
    """The second language detector: Lingua's high- or low-accuracy mode, or none."""

    HIGH = "high"
    LOW = "low"
    OFF = "off"


class Embedding(enum.StrEnum):
    """Title-and-lead embeddings: Universal Sentence Encoder (16 languages), or none."""

    USEM3 = "usem3"
    OFF = "off"


class Compression(enum.StrEnum):
    LZ4 = "lz4"
    ZSTD = "zstd"
    GZIP = "gzip"
    SNAPPY = "snappy"
    NONE = "none"


class LogLevel(enum.StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"


class Guarantee(enum.StrEnum):
    """Faust's processing guarantee."""

    AT_LEAST_ONCE = "at_least_once"
    EXACTLY_ONCE = "exactly_once"


class SecurityProtocol(enum.StrEnum):
    PLAINTEXT = "PLAINTEXT"
    SSL = "SSL"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class SaslMechanism(enum.StrEnum):
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    PLAIN = "PLAIN"


def _home(env: Mapping[str, str], xdg: str, fallback: str) -> Path:
    """``$XDG_…/newsstream``, else ``~/<fallback>/newsstream``."""
    return Path(env.get(xdg) or str(Path.home() / fallback)).expanduser() / "newsstream"


def _state_home() -> Path:
    return _home(os.environ, "XDG_STATE_HOME", ".local/state")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the worker, the CLI and the stages may be configured with."""

    #: Kafka bootstrap servers, ``host:port[,host:port]``.
    broker: str = "127.0.0.1:9092"
    #: Faust application id (consumer group, changelog topic prefix).
    app_id: str = "newsstream"
    #: Replication factor of the topics newsstream and Faust create (1 on a single broker).
    replication_factor: int = 1
    #: Whether the worker (and ``feed``, ``demo``) create the topics they need: off where a
    #: platform provisions them (Strimzi ``KafkaTopic``s from ``python -m deploy.k8s topics``);
    #: then they only check that every topic exists with its layout, and stop naming the
    #: missing ones, and Faust declares none of its own.
    create_topics: bool = True
    #: Partitions of ``news.raw`` (the unit of scale-out for the enrichment stages).
    partitions: int = 8
    #: Where the worker keeps its RocksDB tables.
    data_dir: Path = field(default_factory=lambda: _state_home() / "worker")
    #: Largest accepted ``news.raw`` message, in bytes; larger ones are dead-lettered.
    max_message_bytes: int = 2_000_000
    #: Longest accepted title, URL and source, in characters; longer ones are dead-lettered.
    max_title_chars: int = 2_000
    max_url_chars: int = 8_192
    max_source_chars: int = 512
    #: Below this confidence (the winner's share of its candidates) the language is ``und``.
    #: At 0.25, 174 of the 35,700 FLORES-200 dev sentences that lid.176 labels right (Quechua,
    #: Guarani, Haitian, Javanese...) were und; at 0.1, none of them, and und stays for
    #: gibberish and text without letters.
    lang_min_confidence: float = 0.1
    #: The feed's languages, when known (comma-separated codes as reported, e.g. ``en,de,fr``):
    #: other languages are then down-weighted. Empty (the default): any language.
    languages: str = ""
    #: Second language detector for short or uncertain text: Lingua ``high``, ``low``, ``off``.
    lang_second: SecondDetector = SecondDetector.HIGH
    #: Chrome learned per source is checkpointed to its table every this many articles of it.
    learn_checkpoint_every: int = 20
    #: Open events accept new members for this long after their last member (hours).
    event_window_hours: float = 72.0
    #: Minimum weighted evidence an article must share with an event to join it.
    event_min_shared: float = 3.0
    #: Minimum share of the article's evidence that the event must cover to join it.
    event_min_overlap: float = 0.45
    #: ... or only this share for articles of the same paragraph count (translations keep
    #: their original's paragraphs), from ``PARALLEL_MIN_PARAGRAPHS`` paragraphs up.
    event_parallel_min_overlap: float = 0.25
    #: How much differing shape (paragraph count, length) lowers a match (0 = ignore shape).
    event_shape_weight: float = 1.0
    #: Less weighted evidence suffices when it covers this share of both articles' evidence.
    event_tight_min_shared: float = 0.6
    event_tight_min_overlap: float = 0.5
    #: Title-and-lead embeddings (16 languages) in prepare: ``usem3`` or ``off``.
    embedding: Embedding = Embedding.USEM3
    #: The prepare agent takes up to this many ``news.raw`` messages at a time and embeds
    #: them in one call of the model (1: one at a time) ...
    prepare_batch: int = 16
    #: ... waiting at most this long (milliseconds) for a batch to fill (with a backlog a batch
    #: fills at once; in a live feed a longer wait only adds latency).
    prepare_batch_ms: float = 5.0
    #: The grouping agent takes up to this many ``news.prepared`` articles at a time and writes
    #: and publishes each event they touched once per batch ...
    group_batch: int = 64
    #: ... waiting at most this long (milliseconds) for a batch to fill.
    group_batch_ms: float = 5.0
    #: Grouping over S shards (docs/sharding.md): 0 (the default) groups in one task; S >= 2
    #: runs a coordinator and S shard partitions (rounds of ``group_batch`` articles).
    #: At-least-once only.
    grouping_shards: int = 0
    #: The CPU grouping takes per article against preparing it (``newsstream bench``, two
    #: workers, 8 partitions: 83.7 vs 170.6 worker CPU seconds for 20,000 articles, 0.49): the
    #: worker that groups gets as many fewer ``news.raw`` partitions as balances the load
    #: (:mod:`streams.assignor`; 0: Faust's even split).
    grouping_weight: float = 0.5
    #: Embedding cosine (after shape) at which an article joins with less evidence ...
    event_min_cosine: float = 0.5
    #: ... if it still shares this much weighted evidence, covering this share of it.
    event_cosine_min_shared: float = 0.3
    event_cosine_min_overlap: float = 0.2
    #: An article that joins an event merges the other open events it matches at least this
    #: well into it (``news.events`` says ``merged_into``); above 1, none are merged.
    event_merge_min_score: float = 0.65
    #: A single name that another extends by at most ``event_inflection_max_suffix`` letters
    #: is the same name, when the shorter has ``event_inflection_min_stem`` letters (0: off):
    #: case endings in any language that adds them (Putin, Putinin, Putinia). Chosen
    #: leave-one-set-out on translated_news: newstest2016 F1 0.896 -> 0.927, 2017 0.935 -> 0.950.
    event_inflection_min_stem: int = 4
    event_inflection_max_suffix: int = 3
    #: Weight of a consonant skeleton ("ptn": Putin, Путин, पुतिन, ปูติน) shared by a name key
    #: and a word of a script without case (0: off); the open events such a word may be in and
    #: still count (more: a common word of its language, not a name); the skeleton length that
    #: counts in full (shorter ones in part). Leave-one-set-out in docs/measurements.md:
    #: wmttest2023 en-he recall 0.750 -> 0.838, F1 0.876 -> 0.899; the other files unchanged.
    event_skeleton_weight: float = 1.0
    event_skeleton_max_df: int = 3
    event_skeleton_full_length: int = 5
    #: Whether two names of one alphabet match by their skeletons when their articles are in
    #: different languages (Kabyle "Stanfurd", English "Stanford"), and the consonants such a
    #: skeleton needs. Chosen on half of FLORES-200's languages (``eval translations``, half
    #: A: joined 0.8971 -> 0.9013 at 3, 0.9000 at 4, 0.8993 at 5), half B 0.8855 -> 0.8937;
    #: every translated_news file's F1 the same or higher (docs/measurements.md).
    event_skeleton_same_alphabet: bool = True
    event_skeleton_same_min_length: int = 3
    #: An article joins a member in its language that shares ``event_words_min_shared`` of
    #: evidence weight when the cosine of their words, weighed by their rarity among the open
    #: members in that language (TF-IDF, :mod:`agents.topic_words`), is at least
    #: ``event_words_min_cosine`` (0: off): reports of one event written independently share
    #: its words. Counted once the open members in the language number
    #: ``event_words_min_pool`` (rarity means nothing among a few). Chosen leaving one
    #: language pair of the SemEval pairs out (7 of 8 folds chose 1.5 and 0.25,
    #: ``python -m tools.choose_words``): same-story recall 36.5% -> 53.1% held out, clearly
    #: different 2.9% -> 3.6% held out; PAC stories, not used to choose, F1 0.296 -> 0.500
    #: (docs/measurements.md).
    event_words_min_cosine: float = 0.25
    event_words_min_shared: float = 1.5
    event_words_min_pool: int = 200
    #: The embedding cosine (after shape) at which an article joins a member in another
    #: language on the embedding alone (0: off), both with fewer than
    #: ``event_alone_max_keys`` evidence keys, found among the open members that poor: a
    #: translation delivered as a title and a few sentences (an RSS item) shares too little
    #: evidence with its original. Chosen on translated_news's twelve files as full texts and
    #: summaries of 1-3 lines (``python -m tools.choose_grouping --forms full,1,2,3``): the
    #: lowest cosine at which no file in any form groups worse than without the rule
    #: (docs/measurements.md).
    event_alone_min_cosine: float = 0.5
    event_alone_max_keys: int = 12
    #: Members listed in one ``news.events`` record (the first to join); ``member_count``
    #: counts them all. 100 members of typical size make ~30 KB; at the title, URL and source
    #: limits, at most ~4 MB, under the topic's ``max.message.bytes`` (16 MiB).
    event_max_members: int = 100
    #: Hours of stream time (event time, as the window) from an event's close (its
    #: ``closed: true`` record) to the tombstone of its key on the compacted ``news.events``.
    event_tombstone_hours: float = 24.0
    #: How long the worker's producer waits for more records before it sends a batch (ms):
    #: fewer, fuller produce requests for the broker and the worker at a little latency per
    #: hop. 5 -> 20 ms, two workers, 6,000 articles: broker 2.8 -> 2.2 CPU seconds, worker CPU
    #: 5.57-5.70 -> 5.38 ms per article, p50 latency at 100/s 47 -> 67 ms (p99 156 -> 194).
    producer_linger_ms: int = 20
    #: Compression of the batches the worker produces: ``none`` (default), ``lz4``, ``zstd``,
    #: ``gzip`` or ``snappy``; a consumer's client must support the codec to read them.
    compression: Compression = Compression.NONE
    #: Local HTTP port of the Faust web server (metrics, health); bound to ``web_host``.
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    #: A partition with lag whose committed offset has not moved for this long (seconds) is
    #: stalled: ``/health`` answers 503 ``stalled`` and ``newsstream_stalled_partitions`` counts it.
    stall_seconds: float = 120.0
    #: Kafka version of the local broker started by ``newsstream kafka start``.
    kafka_version: str = "4.1.x"
    #: The local broker's state (``newsstream kafka start``): ``$NEWSSTREAM_STATE``, else
    #: ``$XDG_STATE_HOME/newsstream``, else ``~/.local/state/newsstream``.
    state_dir: Path = field(default_factory=_state_home)
    #: The Kafka jars fetched from Maven Central: ``$NEWSSTREAM_CACHE``, else
    #: ``$XDG_CACHE_HOME/newsstream``, else ``~/.cache/newsstream``.
    cache_dir: Path = field(default_factory=lambda: _home(os.environ, "XDG_CACHE_HOME", ".cache"))
    #: Where to find ``java`` when it is not on the PATH (``$JAVA_HOME``).
    java_home: str = ""
    #: Faust log level for the worker.
    log_level: LogLevel = LogLevel.INFO
    #: Worker logs as JSON lines (stage, article key, reason as fields).
    log_json: bool = False
    #: Faust processing guarantee: ``at_least_once`` or ``exactly_once`` (Kafka transactions).
    processing_guarantee: Guarantee = Guarantee.AT_LEAST_ONCE
    #: Kafka security: ``PLAINTEXT``, ``SSL``, ``SASL_PLAINTEXT`` or ``SASL_SSL``.
    security_protocol: SecurityProtocol = SecurityProtocol.PLAINTEXT
    #: SASL mechanism (``SCRAM-SHA-512``, ``SCRAM-SHA-256``, ``PLAIN``) and credentials.
    sasl_mechanism: SaslMechanism = SaslMechanism.SCRAM_SHA_512
    sasl_username: str = ""
    sasl_password: str = field(default="", repr=False)
    #: TLS: CA bundle, and a client certificate and key for mutual TLS.
    ssl_cafile: str = ""
    ssl_certfile: str = ""
    ssl_keyfile: str = ""

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields replaced (used by tests and the CLI)."""
        return replace(self, **changes)


COMPRESSIONS = tuple(c.value for c in Compression)


def _codes(raw: str) -> str:
    """A comma-separated list of language codes (2 or 3 letters), normalised."""
    codes = [c.strip().lower() for c in raw.split(",") if c.strip()]
    if not codes or not all(c.isascii() and c.isalpha() and 2 <= len(c) <= 3 for c in codes):
        raise ValueError(raw)
    return ",".join(codes)


def _flag(raw: str) -> bool:
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


_ENV: Mapping[str, tuple[str, Any]] = {
    "NEWSSTREAM_BROKER": ("broker", str),
    "NEWSSTREAM_APP_ID": ("app_id", str),
    "NEWSSTREAM_REPLICATION_FACTOR": ("replication_factor", int),
    "NEWSSTREAM_CREATE_TOPICS": ("create_topics", _flag),
    "NEWSSTREAM_PARTITIONS": ("partitions", int),
    "NEWSSTREAM_DATA_DIR": ("data_dir", Path),
    "NEWSSTREAM_MAX_MESSAGE_BYTES": ("max_message_bytes", int),
    "NEWSSTREAM_MAX_TITLE_CHARS": ("max_title_chars", int),
    "NEWSSTREAM_MAX_URL_CHARS": ("max_url_chars", int),
    "NEWSSTREAM_MAX_SOURCE_CHARS": ("max_source_chars", int),
    "NEWSSTREAM_LANG_MIN_CONFIDENCE": ("lang_min_confidence", float),
    "NEWSSTREAM_LANG_SECOND": ("lang_second", SecondDetector),
    "NEWSSTREAM_LANGUAGES": ("languages", _codes),
    "NEWSSTREAM_LEARN_CHECKPOINT_EVERY": ("learn_checkpoint_every", int),
    "NEWSSTREAM_EVENT_WINDOW_HOURS": ("event_window_hours", float),
    "NEWSSTREAM_EVENT_MIN_SHARED": ("event_min_shared", float),
    "NEWSSTREAM_EVENT_MIN_OVERLAP": ("event_min_overlap", float),
    "NEWSSTREAM_EVENT_PARALLEL_MIN_OVERLAP": ("event_parallel_min_overlap", float),
    "NEWSSTREAM_EVENT_SHAPE_WEIGHT": ("event_shape_weight", float),
    "NEWSSTREAM_EVENT_TIGHT_MIN_SHARED": ("event_tight_min_shared", float),
    "NEWSSTREAM_EVENT_TIGHT_MIN_OVERLAP": ("event_tight_min_overlap", float),
    "NEWSSTREAM_EMBEDDING": ("embedding", Embedding),
    "NEWSSTREAM_PREPARE_BATCH": ("prepare_batch", int),
    "NEWSSTREAM_PREPARE_BATCH_MS": ("prepare_batch_ms", float),
    "NEWSSTREAM_GROUP_BATCH": ("group_batch", int),
    "NEWSSTREAM_GROUP_BATCH_MS": ("group_batch_ms", float),
    "NEWSSTREAM_GROUPING_SHARDS": ("grouping_shards", int),
    "NEWSSTREAM_GROUPING_WEIGHT": ("grouping_weight", float),
    "NEWSSTREAM_EVENT_MIN_COSINE": ("event_min_cosine", float),
    "NEWSSTREAM_EVENT_COSINE_MIN_SHARED": ("event_cosine_min_shared", float),
    "NEWSSTREAM_EVENT_COSINE_MIN_OVERLAP": ("event_cosine_min_overlap", float),
    "NEWSSTREAM_EVENT_MERGE_MIN_SCORE": ("event_merge_min_score", float),
    "NEWSSTREAM_EVENT_INFLECTION_MIN_STEM": ("event_inflection_min_stem", int),
    "NEWSSTREAM_EVENT_INFLECTION_MAX_SUFFIX": ("event_inflection_max_suffix", int),
    "NEWSSTREAM_EVENT_SKELETON_WEIGHT": ("event_skeleton_weight", float),
    "NEWSSTREAM_EVENT_SKELETON_MAX_DF": ("event_skeleton_max_df", int),
    "NEWSSTREAM_EVENT_SKELETON_FULL_LENGTH": ("event_skeleton_full_length", int),
    "NEWSSTREAM_EVENT_SKELETON_SAME_ALPHABET": ("event_skeleton_same_alphabet", _flag),
    "NEWSSTREAM_EVENT_SKELETON_SAME_MIN_LENGTH": ("event_skeleton_same_min_length", int),
    "NEWSSTREAM_EVENT_WORDS_MIN_COSINE": ("event_words_min_cosine", float),
    "NEWSSTREAM_EVENT_ALONE_MIN_COSINE": ("event_alone_min_cosine", float),
    "NEWSSTREAM_EVENT_ALONE_MAX_KEYS": ("event_alone_max_keys", int),
    "NEWSSTREAM_EVENT_WORDS_MIN_POOL": ("event_words_min_pool", int),
    "NEWSSTREAM_EVENT_WORDS_MIN_SHARED": ("event_words_min_shared", float),
    "NEWSSTREAM_EVENT_MAX_MEMBERS": ("event_max_members", int),
    "NEWSSTREAM_EVENT_TOMBSTONE_HOURS": ("event_tombstone_hours", float),
    "NEWSSTREAM_WEB_HOST": ("web_host", str),
    "NEWSSTREAM_WEB_PORT": ("web_port", int),
    "NEWSSTREAM_STALL_SECONDS": ("stall_seconds", float),
    "NEWSSTREAM_PRODUCER_LINGER_MS": ("producer_linger_ms", int),
    "NEWSSTREAM_COMPRESSION": ("compression", Compression),
    "KAFKA_VERSION": ("kafka_version", str),
    "NEWSSTREAM_STATE": ("state_dir", Path),
    "NEWSSTREAM_CACHE": ("cache_dir", Path),
    "JAVA_HOME": ("java_home", str),
    "NEWSSTREAM_LOG_LEVEL": ("log_level", LogLevel),
    "NEWSSTREAM_LOG_JSON": ("log_json", _flag),
    "NEWSSTREAM_PROCESSING_GUARANTEE": ("processing_guarantee", Guarantee),
    "NEWSSTREAM_SECURITY_PROTOCOL": ("security_protocol", SecurityProtocol),
    "NEWSSTREAM_SASL_MECHANISM": ("sasl_mechanism", SaslMechanism),
    "NEWSSTREAM_SASL_USERNAME": ("sasl_username", str),
    "NEWSSTREAM_SASL_PASSWORD": ("sasl_password", str),
    "NEWSSTREAM_SSL_CAFILE": ("ssl_cafile", str),
    "NEWSSTREAM_SSL_CERTFILE": ("ssl_certfile", str),
    "NEWSSTREAM_SSL_KEYFILE": ("ssl_keyfile", str),
}


class SettingsError(ValueError):
    """An environment variable with a value its setting does not accept (the message names
    the variable and what it accepts, in one line)."""


_FRACTION = (0.0, 1.0)
#: Numeric settings: (lowest, highest) accepted, None for unbounded.
_RANGES: Mapping[str, tuple[float | None, float | None]] = {
    "replication_factor": (1, None),
    "partitions": (1, 10_000),
    "max_message_bytes": (1, None),
    "max_title_chars": (1, None),
    "max_url_chars": (1, None),
    "max_source_chars": (1, None),
    "lang_min_confidence": _FRACTION,
    "learn_checkpoint_every": (1, None),
    "event_window_hours": (0.001, None),
    "event_min_shared": (0.0, None),
    "event_min_overlap": _FRACTION,
    "event_parallel_min_overlap": _FRACTION,
    "event_shape_weight": _FRACTION,
    "event_tight_min_shared": (0.0, None),
    "event_tight_min_overlap": _FRACTION,
    "prepare_batch": (1, 10_000),
    "prepare_batch_ms": (0.0, 60_000.0),
    "group_batch": (1, 10_000),
    "group_batch_ms": (0.0, 60_000.0),
    "grouping_shards": (0, 1_024),
    "grouping_weight": (0.0, None),
    "event_min_cosine": _FRACTION,
    "event_cosine_min_shared": (0.0, None),
    "event_cosine_min_overlap": _FRACTION,
    "event_merge_min_score": (0.0, 2.0),
    "event_inflection_min_stem": (0, 100),
    "event_inflection_max_suffix": (0, 20),
    "event_skeleton_weight": (0.0, None),
    "event_skeleton_max_df": (1, 1_000_000),
    "event_skeleton_full_length": (0, 100),
    "event_skeleton_same_min_length": (0, 100),
    "event_words_min_cosine": _FRACTION,
    "event_alone_min_cosine": _FRACTION,
    "event_alone_max_keys": (1, None),
    "event_words_min_pool": (1, 100_000_000),
    "event_words_min_shared": (0.0, None),
    "event_max_members": (1, 1_000),
    "event_tombstone_hours": (0.0, None),
    "web_port": (1, 65_535),
    "stall_seconds": (1.0, None),
    "producer_linger_ms": (0, 60_000),
}
#: Settings with a fixed set of values: their enums (values compared case-insensitively).
_CHOICES: Mapping[str, type[enum.StrEnum]] = {
    name: kind
    for name, kind in _ENV.values()
    if isinstance(kind, type) and issubclass(kind, enum.StrEnum)
}
_KIND_NAMES = {int: "an integer", float: "a number", Path: "a path", str: "a string"}


def _accepts(name: str, kind: Any) -> str:
    """What a setting accepts, in words."""
    if name in _CHOICES:
        return "one of " + ", ".join(c.value for c in _CHOICES[name])
    words = _KIND_NAMES.get(
        kind,
        {_flag: "on, off, true, false, 1 or 0", _codes: "language codes, comma-separated"}.get(
            kind, "a value"
        ),
    )
    low, high = _RANGES.get(name, (None, None))
    if low is not None and high is not None:
        return f"{words} from {low:g} to {high:g}"
    if low is not None:
        return f"{words} of at least {low:g}"
    return words


def _parse(var: str, raw: str, name: str, kind: Any) -> Any:
    """One variable's value, checked; :class:`SettingsError` if it is not accepted."""
    refused = SettingsError(f"{var}={raw!r} is not accepted: it must be {_accepts(name, kind)}")
    if name in _CHOICES:  # the canonical spelling ("USEM3" is usem3, not an unknown model)
        matches = [c for c in _CHOICES[name] if c.value.lower() == raw.strip().lower()]
        if not matches:
            raise refused
        return matches[0]
    try:
        value = kind(raw.strip() if kind is not str else raw)
    except ValueError:
        raise refused from None
    if isinstance(value, Path):
        value = value.expanduser()
    low, high = _RANGES.get(name, (None, None))
    if isinstance(value, int | float) and (
        value != value or (low is not None and value < low) or (high is not None and value > high)
    ):
        raise refused
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from the environment (``os.environ`` by default); a value a
    setting does not accept raises :class:`SettingsError` naming the variable."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {
        "state_dir": _home(env, "XDG_STATE_HOME", ".local/state"),
        "cache_dir": _home(env, "XDG_CACHE_HOME", ".cache"),
        "data_dir": _home(env, "XDG_STATE_HOME", ".local/state") / "worker",
    }
    for var, (name, kind) in _ENV.items():
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        values[name] = _parse(var, raw, name, kind)
    settings = Settings(**values)
    _check_together(settings, env)
    return settings


def _check_together(settings: Settings, env: Mapping[str, str]) -> None:
    """Settings that are accepted alone but not together."""
    shards = settings.grouping_shards
    if shards == 1:
        raise SettingsError(
            f"NEWSSTREAM_GROUPING_SHARDS={env.get('NEWSSTREAM_GROUPING_SHARDS')!r} is not "
            "accepted: it must be 0 (one grouping task) or from 2 to 1024 (shards)"
        )
    if shards and settings.processing_guarantee == Guarantee.EXACTLY_ONCE:
        raise SettingsError(
            "NEWSSTREAM_GROUPING_SHARDS is not accepted with "
            "NEWSSTREAM_PROCESSING_GUARANTEE=exactly_once: a round's probes would stay in the "
            "coordinator's open transaction, invisible to the shards (at_least_once only)"
        )


def env_names() -> Mapping[str, str]:
    """Environment variable -> settings field, for documentation and ``--help``."""
    return {var: name for var, (name, _) in _ENV.items()}


def is_set(var: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the environment gives ``var`` a value (e.g. ``NEWSSTREAM_BROKER``: use the
    configured broker rather than start a local one)."""
    return bool((os.environ if environ is None else environ).get(var))


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """``NEWSSTREAM_*`` variables that no setting reads (a typo is otherwise ignored)."""
    env = os.environ if environ is None else environ
    return sorted(v for v in env if v.startswith("NEWSSTREAM_") and v not in _ENV)


def child_environment(overrides: Mapping[str, str], keep_settings: bool = False) -> dict[str, str]:
    """The environment for a child process (a worker the bench or the demo starts): this
    process's, without its ``NEWSSTREAM_*`` settings unless ``keep_settings``, with
    ``overrides`` on top."""
    env = {k: v for k, v in os.environ.items() if keep_settings or not k.startswith("NEWSSTREAM_")}
    env.update(overrides)
    return env


#: Settings whose value ``newsstream config`` masks.
SECRETS = frozenset({"sasl_password"})


def effective(settings: Settings) -> dict[str, str]:
    """Every setting's variable and its value as the worker uses it, secrets masked."""
    names = {name: var for var, (name, _) in _ENV.items()}
    out: dict[str, str] = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        shown = "****" if f.name in SECRETS and value else str(value)
        out[names.get(f.name, f.name)] = shown
    return out
