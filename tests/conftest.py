"""Shared fixtures: a clean random and plotting state per test, and one strict site build."""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

# Examples called by the tests and by the pages' code write their figures and weights here, not
# into docs/figures, which only `nox -s figures` fills. Set before any example is imported.
os.environ.setdefault("TUTORIAL_FIGURES", tempfile.mkdtemp(prefix="tutorial-figures-"))

import matplotlib
import pytest

REPRODUCIBLE_DATE = "1767225600"  # 2026-01-01: builds in the tests carry this date


matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def isolated_state():
    """Each test starts from the same random state and an empty, default matplotlib.

    The seed is deliberately not 0: a page that forgets to seed will then print other numbers
    than the ones it shows, and its output check fails instead of passing by luck.
    """
    import matplotlib.pyplot as plt
    import torch

    random.seed(12345)
    torch.manual_seed(12345)
    yield
    plt.close("all")
    matplotlib.rcdefaults()
    matplotlib.use("Agg")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Build the whole site once, strictly, into a temporary folder; return that folder."""
    from site_tools.project import BuildError, mkdocs_build

    site = tmp_path_factory.mktemp("site")
    try:
        mkdocs_build(site, env={"SOURCE_DATE_EPOCH": REPRODUCIBLE_DATE})
    except BuildError as error:
        pytest.fail(str(error), pytrace=False)
    return site


def _require(condition: bool, message: str) -> None:
    """Skip a check whose tool is missing, except in CI (CI=true), where that is a failure."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must run this check)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def require():
    return _require


@pytest.fixture(scope="module")
def browser(require):
    """Debian's headless Chromium, driven by Playwright (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from site_tools.loopback import CHROMIUM_FLAGS, chromium_path

    executable = chromium_path()
    require(
        executable is not None, "no Chromium found: install Debian's 'chromium', or set CHROMIUM"
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


# Cheap checks of the sources first, so that `-x` stops on a broken page in seconds; then the
# browser suite, the longest module, so that a parallel run starts it early.
FIRST = ("test_parity", "test_lessons", "test_prose_numbers", "test_fence_rules", "test_chinese_copy",
         "test_glossary", "test_translations", "test_project")  # fmt: skip


def pytest_collection_modifyitems(items) -> None:
    def rank(item) -> int:
        if getattr(item, "module", None) is None:  # a page's fence (site_tools/codeblocks.py)
            return 2
        module = item.module.__name__.rsplit(".", 1)[-1]
        return 0 if module in FIRST else 1 if module == "test_browser" else 2

    items.sort(key=rank)  # stable: each module keeps its own order
