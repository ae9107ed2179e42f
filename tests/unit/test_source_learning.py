"""Chrome learned per source, through the same ``prepare`` the worker runs (``process``)."""

from __future__ import annotations

import io

import orjson

from cli.process import process_lines
from streams.settings import Settings

CHROME = ["Kronberger Bote: unabhängig seit 1886", "Startseite · Lokales · Sport · Wetter"]
TOPICS = [
    "Stadtrat",
    "Feuerwehr",
    "Bibliothek",
    "Sportverein",
    "Marktplatz",
    "Schule",
    "Museum",
    "Bahnhof",
    "Freibad",
    "Gemeindehaus",
]


def article(i: int, quote: str | None = None) -> bytes:
    topic = TOPICS[i % len(TOPICS)]
    body = [
        f"Der {topic} von Kronberg hat am Dienstag über {100 + i} neue Vorschläge beraten, "
        f"die Bürgerinnen und Bürger im Laufe des Jahres eingereicht hatten.",
        f"Nach Angaben der Verwaltung sollen {10 + i} davon noch vor dem Sommer umgesetzt "
        f"werden; für {topic.lower()} und Umgebung folgt im Herbst eine zweite Runde.",
    ]
    if quote:
        body.append(quote)
    text = "\n\n".join([*body, *CHROME])
    return orjson.dumps(
        {
            "id": f"kb-{i}",
            "source": "kronberger-bote.example",
            "title": f"{topic}: {100 + i} Vorschläge",
            "text": text,
        }
    )


def test_after_enough_articles_a_sources_chrome_is_gone_and_the_body_stays() -> None:
    quote = "Kronberger Bote: unabhängig seit 1886"  # a learned line, quoted once below
    lines = [article(i) for i in range(10)]
    lines.append(article(10, quote=f"Der Verleger erinnerte an das Motto »{quote}«."))
    out = io.BytesIO()
    process_lines(io.BytesIO(b"\n".join(lines) + b"\n"), Settings(), out, None)
    records = [orjson.loads(line) for line in out.getvalue().splitlines()]

    assert all(chrome in records[0]["text"] for chrome in CHROME)  # nothing learned yet
    for rec in records[6:]:
        assert not any(chrome == p for chrome in CHROME for p in rec["text"].split("\n\n"))
        assert set(CHROME) <= set(rec["boilerplate_removed"])
        assert "neue Vorschläge beraten" in rec["text"] and "vor dem Sommer" in rec["text"]
    assert "Der Verleger erinnerte an das Motto" in records[-1]["text"]
