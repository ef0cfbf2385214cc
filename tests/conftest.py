"""Shared fixtures: a clean random and plotting state per test, and one strict site build."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

# Examples called by the tests and by the pages' code write their figures and weights here, not
# into docs/figures, which only `nox -s figures` fills. Set before any example is imported.
os.environ.setdefault("TUTORIAL_FIGURES", tempfile.mkdtemp(prefix="tutorial-figures-"))

import matplotlib
import pytest

from examples.paths import PROJECT_ROOT

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
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stderr[-4000:]}", pytrace=False)
    return site
