"""Headless Chromium for tests (Debian's `chromium` and `chromium-driver`, through selenium).

Where either is missing, browser tests are skipped with the reason, unless
PERSUASION_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)


def _find(candidates: tuple[str, ...], name: str) -> str | None:
    for path in candidates:
        if Path(path).exists():
            return path
    return shutil.which(name)


def require_browser() -> tuple[str, str]:
    """Paths of chromium and chromedriver, or skip (fail under PERSUASION_REQUIRE_BROWSER=1)."""
    chromium = _find(CHROMIUM_CANDIDATES, "chromium")
    driver = _find(DRIVER_CANDIDATES, "chromedriver")
    if chromium and driver:
        return chromium, driver
    reason = (
        "headless Chromium not available (install the Debian packages `chromium` and "
        "`chromium-driver`; make system-deps does)"
    )
    if os.environ.get("PERSUASION_REQUIRE_BROWSER", "0") == "1":
        pytest.fail(f"{reason}; PERSUASION_REQUIRE_BROWSER=1 requires it")
    pytest.skip(reason)


@contextmanager
def chromium(width: int = 430, height: int = 932) -> Iterator[object]:
    """A fresh headless Chromium (its own profile folder), closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = require_browser()
    profile = tempfile.mkdtemp(prefix="persuasion-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = _start(webdriver, Service(driver_path), options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _start(webdriver: Any, service: Any, options: Any, attempts: int = 3) -> Any:
    """Start the driver; on a loaded machine Chromium's first start can time out, so try
    again a bounded number of times before failing with the last error."""
    from selenium.common.exceptions import WebDriverException

    for attempt in range(1, attempts + 1):
        try:
            return webdriver.Chrome(service=service, options=options)
        except WebDriverException:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
