"""Test inputs: the seeds (read from ../shared/seeds, never copied) and short articles of ours."""

from __future__ import annotations

from pathlib import Path

import orjson

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# The site chrome each seed ends in (from the issue that describes the seed case).
SEED_CHROME: dict[str, tuple[str, ...]] = {
    "en": (
        "Source link",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
    ),
    "de": ("source site-30",),
}
_SEED_FILES = {"en": "000_50ba34cc8910f1b1.txt", "de": "001_cf7c9d119dfcf938.txt"}


def read_seed(lang: str) -> dict[str, str]:
    """A seed as a ``news.raw`` object: first line the title, the rest the text."""
    path = SEEDS / _SEED_FILES[lang]
    assert path.is_file(), f"seed missing: {path} (tests read ../shared/seeds)"
    title, _, text = path.read_text(encoding="utf-8").partition("\n")
    return {"title": title.strip(), "text": text.strip()}


def body_paragraphs(text: str, lang: str) -> list[str]:
    """The seed's body paragraphs: every non-empty paragraph that is not its chrome."""
    chrome = SEED_CHROME[lang]
    return [p.strip() for p in text.split("\n\n") if p.strip() and p.strip() not in chrome]


FOOTBALL = {
    "title": "Rovers stun Athletic with late double to reach the cup semi-final",
    "text": (
        "Harborough Rovers came from a goal down to beat Castleford Athletic 2-1 at Kingsmead "
        "Park on Saturday and reach the semi-final of the county cup for the first time since "
        "1987.\n\n"
        "Athletic led through a Tomasz Wieczorek header in the 34th minute, and their "
        "goalkeeper Callum Brierley kept Rovers out with three fine saves before the break.\n\n"
        "Substitute Joel Amankwah levelled in the 81st minute and struck again four minutes "
        "later, curling a free kick over the wall in front of 6,412 supporters.\n\n"
        "Rovers manager Siobhan Delaney said her side had never stopped believing. Athletic "
        "will now concentrate on the league, where they sit fourth, nine points off the top."
    ),
}

CENTRAL_BANK = {
    "title": "Notenbank von Kaldavien senkt den Leitzins auf 3,25 Prozent",
    "text": (
        "Die Zentralbank von Kaldavien hat ihren Leitzins am Donnerstag um 0,25 Prozentpunkte "
        "auf 3,25 Prozent gesenkt. Es ist die zweite Senkung in diesem Jahr.\n\n"
        "Notenbankchefin Mirela Dragomanova begründete den Schritt mit der nachlassenden "
        "Teuerung: Die Inflationsrate lag im Oktober bei 2,1 Prozent, nach 2,8 Prozent im "
        "Sommer.\n\n"
        "Volkswirte der Handelsbank Ostrava hatten mit der Entscheidung gerechnet. Der "
        "Rentenmarkt reagierte kaum, die Krone gab gegenüber dem Euro leicht nach.\n\n"
        "Die nächste Sitzung des geldpolitischen Rates ist für den 11. Dezember geplant."
    ),
}

LIBRARY_EN = {
    "title": "Fire destroys historic library in Tarnowice, 40,000 volumes lost",
    "text": (
        "A fire on Tuesday night destroyed the municipal library of Tarnowice, a building "
        "opened in 1911, and with it about 40,000 volumes, the town's mayor Krystyna Zabielska "
        "said on Wednesday.\n\n"
        "Firefighters from Tarnowice and Olszany fought the blaze for eleven hours. Nobody "
        "was injured. The cause is being investigated; the fire brigade commander Pawel "
        "Grabowiecki said it started in the roof.\n\n"
        "Among the losses are 312 manuscripts from the collection of the Lubomirski family, "
        "which had been catalogued only last year. Zabielska said the town would ask the "
        "government for 15 million zloty to rebuild."
    ),
}

LIBRARY_DE = {
    "title": "Brand zerstört historische Bibliothek in Tarnowice, 40.000 Bände verloren",
    "text": (
        "Ein Brand hat in der Nacht zum Mittwoch die Stadtbibliothek von Tarnowice zerstört, "
        "ein 1911 eröffnetes Gebäude, und mit ihr rund 40.000 Bände, wie Bürgermeisterin "
        "Krystyna Zabielska am Mittwoch mitteilte.\n\n"
        "Feuerwehrleute aus Tarnowice und Olszany kämpften elf Stunden lang gegen die Flammen. "
        "Verletzt wurde niemand. Die Ursache wird untersucht; Feuerwehrkommandant Paweł "
        "Grabowiecki sagte, das Feuer sei im Dach ausgebrochen.\n\n"
        "Zu den Verlusten gehören 312 Handschriften aus der Sammlung der Familie Lubomirski, "
        "die erst im vergangenen Jahr katalogisiert worden waren. Zabielska kündigte an, die "
        "Stadt werde die Regierung um 15 Millionen Złoty für den Wiederaufbau bitten."
    ),
}


#: The chrome of a local paper that a source learns (see :func:`source_article`).
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


def source_article(i: int, quote: str | None = None) -> bytes:
    """Article ``i`` of a local paper, its :data:`CHROME` last (``quote`` added to its body)."""
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
