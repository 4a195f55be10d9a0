"""Browser tests: the app served by werkzeug on 127.0.0.1 in a thread, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import db
from app.models import Shop

CHROMIUM = "/usr/bin/chromium"
SHOP_DOMAIN = "juniper-clay.myshopify.com"
# Set ADMIN_SCREENSHOTS=<folder> to keep a full-page screenshot of each page the tests visit, to look at.
SCREENSHOTS = os.environ.get("ADMIN_SCREENSHOTS")


@pytest.fixture
def server(app):
    """The app on a free local port for the length of one test."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shop(app):
    """An installed shop with an offline token, so the first load needs no token exchange."""
    with app.app_context():
        cipher = app.extensions["stockout.cipher"]
        row = Shop(
            domain=SHOP_DOMAIN, name="山野手作陶瓷", contact_email="owner@shanye.example",
            access_token_encrypted=cipher.encrypt("shpat_test"), installed_at=db.utcnow(),
            timezone="Asia/Shanghai", currency="CNY", locale="zh-CN", scopes="read_orders",
        )
        db.session().add(row)
        db.session().commit()
        return row.id


def screenshot(tab, name: str) -> Path | None:
    """A full-page screenshot for a person to look at, when ADMIN_SCREENSHOTS names a folder."""
    if not SCREENSHOTS:
        return None
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path
