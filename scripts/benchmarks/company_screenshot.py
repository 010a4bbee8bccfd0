"""The README's picture of a company page, made again from nothing: ``scripts/screenshot-company-page [OUT.png]``.

The page is shown over a synthetic corpus of fictional companies, so the picture
quotes no one's articles and can be rebuilt on any machine: the articles are
written to a temporary folder, indexed by the same pipeline as ``newsfacet index``
(extraction included), served by ``newsfacet serve`` as the browser tests serve
it, and photographed in headless Chromium 1280 px wide, cut at ``--max-height``
pixels to keep the PNG small.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import urllib.parse
from pathlib import Path

from benchmarks.serving import newsfacet_server
from indexer.index.store import IndexStore
from indexer.reindex import reindex

CHROMIUM = "/usr/bin/chromium"
COMPANY = "Corvane Robotics"
MONTHS = [f"2025-{month:02d}" for month in range(1, 11)]
# The company's articles per month: a rise, a dip and a peak, so the chart has a shape.
PER_MONTH = [2, 3, 3, 5, 2, 4, 6, 8, 5, 7]
PARTNERS = ["Lumora Systems Ltd", "Brightwell Analytics Corp", "Halvorsen Grid AG", "Tessaly Motors Inc"]
OTHERS = ["Quillfield Foods Inc", "Marrow Bay Shipping Ltd", "Ostrava Steelworks AG"]
STORIES = [
    "{a} said on {day} it agreed to supply industrial robots to {b} for its new assembly plant.",
    "{a} and {b} formed a partnership to develop lithium-ion batteries for warehouse robots.",
    "{b} will buy machine vision systems from {a} under a three-year supply agreement.",
    "{a} reported higher quarterly revenue as demand for collaborative robots grew, and named {b} a key customer.",
    "{a} opened a research centre for artificial intelligence in robotics together with {b}.",
]
OTHER_STORIES = [
    "{a} raised its dividend after a strong year, {day}.",
    "{a} said freight volumes fell in the quarter.",
    "{a} cut prices of hot-rolled coil as demand for steel slowed.",
]
EXTRA_ARTICLES = 25  # about other companies, so that lift has a background to stand out from


def corpus(seed: int = 7) -> list[dict]:
    """JSON Lines records: the company's articles month by month, two undated, and some about others."""
    rng = random.Random(seed)
    records = []
    for month, count in zip(MONTHS, PER_MONTH, strict=True):
        for _ in range(count):
            day = f"{month}-{rng.randint(1, 28):02d}"
            partner = rng.choices(PARTNERS, weights=[5, 3, 2, 1])[0]
            text = _told(rng, rng.choice(STORIES).format(a=f"{COMPANY} Inc", b=partner, day=day))
            records.append(_record(len(records), f"{COMPANY} and {partner.rsplit(' ', 1)[0]}", text, day))
    for _ in range(2):
        text = _told(rng, STORIES[1].format(a=f"{COMPANY} Inc", b=PARTNERS[0], day=""))
        records.append(_record(len(records), f"{COMPANY} battery work", text, None))
    for _ in range(EXTRA_ARTICLES):
        day = f"{rng.choice(MONTHS)}-{rng.randint(1, 28):02d}"
        company = rng.choice(OTHERS + PARTNERS[1:])
        text = _told(rng, rng.choice(OTHER_STORIES).format(a=company, day=day))
        records.append(_record(len(records), f"{company.rsplit(' ', 1)[0]} update", text, day))
    return records


def _told(rng: random.Random, text: str) -> str:
    """The story with a figure of its own: identical articles would be folded into one when indexed."""
    return f"{text} The deal is worth {rng.randint(5, 900)} million euros, a spokesperson said."


def _record(number: int, title: str, body: str, day: str | None) -> dict:
    record = {"id": f"synthetic-{number}", "title": title, "body": body, "source": "Example Wire"}
    return record | ({"date": day} if day else {})


def screenshot(out: Path, max_height: int) -> None:
    """Index the corpus in a temporary folder, serve it and save the company page's main area to ``out``."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        articles = Path(folder) / "articles.jsonl"
        articles.write_text("".join(json.dumps(record) + "\n" for record in corpus()), "utf-8")
        store = IndexStore(Path(folder) / "index")
        reindex([articles], store, full=True)
        with newsfacet_server(store.root) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{server.base}/company/{urllib.parse.quote(COMPANY, safe='')}")
                height = page.evaluate("document.documentElement.scrollHeight")
                clip = {"x": 0, "y": 0, "width": 1280, "height": min(height, max_height)}
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out), clip=clip, full_page=True)
            finally:
                browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="screenshot-company-page", description=__doc__.split("\n\n")[0])
    default = Path(__file__).resolve().parents[2] / "docs" / "company-page.png"
    parser.add_argument("out", type=Path, nargs="?", default=default, help=f"the PNG to write (default: {default})")
    parser.add_argument("--max-height", type=int, default=1600, help="cut the picture at this height in pixels")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).is_file():
        print(f"screenshot-company-page: no Chromium at {CHROMIUM} (install Debian's chromium)", file=sys.stderr)
        return 2
    screenshot(args.out, args.max_height)
    print(f"{args.out}: {args.out.stat().st_size / 1000:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
