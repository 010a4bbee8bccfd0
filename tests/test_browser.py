"""The search page in a real headless Chromium, served by `newsfacet serve`."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .paths import PROJECT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).is_file() and shutil.which(CHROMIUM):
        return CHROMIUM
    message = f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
    if os.environ.get("NEWSFACET_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(sample_store):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "serve", "--port", str(port), "--index", str(sample_store.root)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"newsfacet serve did not start: {process.communicate()[0]}")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)
    process.stdout.close()


@pytest.fixture
def page(tmp_path):
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            yield context.new_page()
            context.close()
        finally:
            browser.close()


def result_count(page) -> int:
    return int(page.locator("h1.count").get_attribute("data-total"))


def test_search_then_narrow_by_company(server, page):
    page.goto(server + "/")
    everything = result_count(page)
    assert everything == 8

    page.fill("#q", "batteries")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=batteries")
    searched = result_count(page)
    assert searched == 5
    assert page.locator("mark").first.inner_text().lower().startswith("batter")

    page.locator('[data-facet="company"] a[data-value="Mazda"]').click()
    page.wait_for_url("**company=Mazda**")
    assert result_count(page) == 1
    assert page.locator(".hit h3").inner_text().startswith("Mazda Motor and Panasonic")
    assert page.locator('[data-facet="company"] a.selected').inner_text().split() == ["☑", "Mazda", "1"]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=True)

    page.locator('.chips.active a').click()  # remove the company filter again
    page.wait_for_url("**/?q=batteries")
    assert result_count(page) == searched
