"""The extraction evaluation's split of the benchmark pages into folds by site."""

import hashlib
import random

from tools.eval_extraction import (
    Page,
    Rows,
    domain_of,
    fold_of,
    render_folds,
    site_of,
    split_folds,
)

_URLS = [
    "https://www.zeit.de/politik/2020/a.html",
    "https://zeit.de/kultur/b",
    "https://blog.zeit.de/c",
    "http://www.bbc.co.uk/news/d",
    "https://news.bbc.co.uk/e",
    "https://one.wordpress.com/2013/x",
    "https://two.wordpress.com/2014/y",
    "https://web.archive.org/web/20160526181643/http://ordnungsrausch.com/orga-life/",
    "https://web.archive.org/web/20130307194448/the-pain.net/2008/05/silkroad.html",
    "hard::jamaicaobserver.com-attacks.html",
    "hard::laestrella.com.pa-laboral.html",
    "hard::iwr.de.IWR-Pressedienst.html",
    "recall::elnuevoherald.com-miami.html",
    "hard::jamaica.gleaner.com-victims.html",
    "https://example.org/",
]


def test_the_site_is_the_host_without_www_even_behind_an_archive_or_in_a_file_name() -> None:
    sites = [site_of(url) for url in _URLS]
    assert sites == [
        "zeit.de",
        "zeit.de",
        "blog.zeit.de",
        "bbc.co.uk",
        "news.bbc.co.uk",
        "one.wordpress.com",
        "two.wordpress.com",
        "ordnungsrausch.com",
        "the-pain.net",
        "jamaicaobserver.com",
        "laestrella.com.pa",
        "iwr.de",
        "elnuevoherald.com",
        "jamaica.gleaner.com",
        "example.org",
    ]


def test_a_site_and_its_subdomains_share_a_domain_but_blogs_on_a_platform_do_not() -> None:
    assert domain_of("blog.zeit.de") == domain_of("zeit.de") == "zeit.de"
    assert domain_of("news.bbc.co.uk") == "bbc.co.uk"
    assert domain_of("one.wordpress.com") != domain_of("two.wordpress.com")


def test_the_fold_is_a_hash_of_the_domain_the_same_on_every_run() -> None:
    digest = hashlib.sha256(b"zeit.de").digest()
    assert fold_of("zeit.de", 5) == int.from_bytes(digest[:8], "big") % 5
    assert fold_of("blog.zeit.de", 5) == fold_of("zeit.de", 5)
    assert all(0 <= fold_of(site_of(url), 5) < 5 for url in _URLS)


def _page(url: str) -> Page:
    return Page(url, b"", ("a",), ())


def _per_site(urls: list[str]) -> dict[str, Rows]:
    per_site: dict[str, Rows] = {}
    for url in urls:
        rows = Rows()
        rows.html_ours.add(_page(url), "a", 0.0)
        per_site.setdefault(site_of(url), Rows()).merge(rows)
    return per_site


def test_no_site_is_split_and_every_page_is_in_one_fold_whatever_the_order() -> None:
    urls = [f"https://s{n % 40}.example{n % 13}.com/{n}" for n in range(300)] + _URLS
    folds = split_folds(_per_site(urls), 5)
    seen = [site for fold in folds for site in fold.sites]
    assert len(seen) == len(set(seen)) == len({site_of(url) for url in urls})
    assert sum(fold.rows.html_ours.pages for fold in folds) == len(urls)
    domains = [{domain_of(site) for site in fold.sites} for fold in folds]
    assert all(a.isdisjoint(b) for i, a in enumerate(domains) for b in domains[i + 1 :])
    shuffled = list(urls)
    random.Random(7).shuffle(shuffled)
    again = split_folds(_per_site(shuffled), 5)
    assert [fold.sites for fold in again] == [fold.sites for fold in folds]
    assert [fold.rows.html_ours.pages for fold in again] == [f.rows.html_ours.pages for f in folds]


def test_the_fold_table_has_a_row_per_fold_a_mean_and_a_minimum() -> None:
    per_site = _per_site(_URLS)
    text = render_folds(split_folds(per_site, 3), per_site)
    lines = text.splitlines()
    assert [line.split()[0] for line in lines[4:9]] == ["0", "1", "2", "mean", "min"]
