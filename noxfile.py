"""Build the figures and the site, serve it, test it: `nox -l` lists the sessions.

Every session uses one shared environment, `.venv` in the project (or the folder named by
$TUTORIAL_VENV). It is made on first use and rebuilt only when requirements/site.txt or
pyproject.toml change, because torch alone is several gigabytes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
REQUIREMENTS = ROOT / "requirements" / "site.txt"
VENV = Path(os.environ.get("TUTORIAL_VENV", ROOT / ".venv"))
STAMP = VENV / ".requirements-sha256"

nox.options.default_venv_backend = "none"
nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = True


def _requirements_digest() -> str:
    digest = hashlib.sha256()
    for path in (REQUIREMENTS, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _environment(session: nox.Session) -> dict[str, str]:
    """Make or refresh the shared environment; return the variables that select it."""
    with _timed(session, "environment"):
        return _make_environment(session)


def _make_environment(session: nox.Session) -> dict[str, str]:
    python = VENV / "bin" / "python"
    digest = _requirements_digest()
    if not python.exists():
        session.log(f"Creating the shared environment in {VENV} (once; torch takes minutes)")
        session.run(sys.executable, "-m", "venv", str(VENV), external=True)
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        session.run(
            str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS), external=True
        )
        session.run(
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "-e",
            str(ROOT),
            external=True,
        )
        STAMP.write_text(digest + "\n")
    else:
        session.log(f"Reusing the shared environment in {VENV}")
    bin_dir = str(VENV / "bin")
    return {
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "VIRTUAL_ENV": str(VENV),
        "NO_MKDOCS_2_WARNING": "1",
        "MPLBACKEND": "Agg",
    }


@contextmanager
def _timed(session: nox.Session, step: str):
    """Log how long a step took, as `time: <step> <seconds> s` (nox -s bench reads these)."""
    start = time.perf_counter()
    yield
    session.log(f"time: {step} {time.perf_counter() - start:.1f} s")


def _run(session: nox.Session, env: dict[str, str], program: str, *args: str) -> None:
    """Run a program of the shared environment (nox would look it up on its own PATH)."""
    session.run(str(VENV / "bin" / program), *args, env=env, external=True)


def _figures(session: nox.Session, env: dict[str, str], args: list[str]) -> None:
    with _timed(session, "figures"):
        _run(session, env, "python", "-m", "site_tools.figures", *args)


def _notebooks(session: nox.Session, env: dict[str, str], *args: str) -> None:
    """The chapters' notebooks, then the program pages (each program run alone, once)."""
    with _timed(session, "notebooks"):
        _run(session, env, "python", "-m", "site_tools.notebooks", *args)
    with _timed(session, "programs"):
        _run(session, env, "python", "-m", "site_tools.programs", *args)


def _browser_tools(session: nox.Session) -> None:
    """Install package-lock.json's packages once: the math font and iframe-worker (the site),
    axe-core and vnu-jar (the checks)."""
    wanted = (
        "@fontsource/noto-sans-math/files/noto-sans-math-latin-400-normal.woff",
        "iframe-worker/shim/index.js",
        "axe-core/axe.min.js",
        "vnu-jar/build/dist/vnu.jar",
    )
    if all((ROOT / "node_modules" / name).exists() for name in wanted):
        return
    if shutil.which("npm") is None:
        session.warn("npm not found: the browser accessibility checks will be skipped (CI fails)")
        return
    session.run("npm", "ci", "--no-audit", "--no-fund", "--silent", external=True)


def _books(session: nox.Session, env: dict[str, str], args: list[str]) -> None:
    """The offline copies and PDFs; they need Chromium, which a reader's machine may lack."""
    if shutil.which("chromium") is None and not os.environ.get("CHROMIUM"):
        if os.environ.get("CI"):
            session.error("no Chromium: CI must build the offline copies and the PDFs")
        session.warn("no Chromium found: skipping the offline copies and PDFs (install chromium)")
        return
    with _timed(session, "books"):
        _run(session, env, "python", "-m", "site_tools.books", *args)


@nox.session
def figures(session: nox.Session) -> None:
    """Run the examples that draw figures (cached): -- --device auto|cpu|cuda [--force]."""
    env = _environment(session)
    _figures(session, env, session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the figures, the offline copies and PDFs, then the bilingual site into site/."""
    env = _environment(session)
    _browser_tools(session)
    _figures(session, env, [])
    _notebooks(session, env)
    _books(session, env, [])
    with _timed(session, "build"):
        _run(session, env, "mkdocs", "build", "--strict", *session.posargs)


@nox.session
def books(session: nox.Session) -> None:
    """Build each language's offline copy (zip) and PDF into build/books/ (-- --force)."""
    env = _environment(session)
    _browser_tools(session)
    _figures(session, env, [])
    _books(session, env, session.posargs)


@nox.session
def serve(session: nox.Session) -> None:
    """Build the figures, then serve both languages with live reload."""
    env = _environment(session)
    _browser_tools(session)
    _figures(session, env, [])
    _run(session, env, "mkdocs", "serve", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Examples, every code fence, parity, a strict build and the browser checks (pytest args after --)."""
    env = _environment(session)
    _browser_tools(session)
    _figures(session, env, [])
    _notebooks(session, env, "--keep-going")  # the fence items report any page that disagrees
    _books(session, env, [])
    # Test modules in parallel, one module per worker at a time (module fixtures are costly).
    workers = str(min(os.cpu_count() or 1, 4))
    with _timed(session, "pytest"):
        _run(session, env, "python", "-m", "pytest", "-n", workers, "--dist", "loadfile",
             *session.posargs)  # fmt: skip


CHAPTER_CHECKS = [  # every test module that checks one chapter, selected by -k below
    "test_notebooks.py",
    "test_lessons.py",
    "test_prose_numbers.py",
    "test_parity.py",
    "test_chinese_copy.py",
    "test_browser.py",
]


@nox.session
def check(session: nox.Session) -> None:
    """Check one chapter in under a minute: -- EXAMPLE [pytest args], e.g. -- pooling."""
    if not session.posargs or session.posargs[0].startswith("-"):
        session.error("name the chapter's example: nox -s check -- pooling")
    example, *extra = session.posargs
    if not (ROOT / "examples" / f"{example}.py").is_file():
        session.error(f"no examples/{example}.py: name a chapter's example, e.g. pooling")
    env = _environment(session)
    _browser_tools(session)
    stem = example.replace("_", "-")
    pages = sorted(str(page.relative_to(ROOT)) for page in ROOT.glob(f"docs/*/**/{stem}.md"))
    tests = [f"tests/test_{example}.py", *pages] + [f"tests/{name}" for name in CHAPTER_CHECKS]
    selected = " or ".join(dict.fromkeys([example, stem, "trees"]))
    with _timed(session, "check"):
        _run(session, env, "python", "-m", "pytest", "-q", *tests, "-k", selected, *extra)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff over the Python (files and every fence), autocorrect over the Chinese, actionlint."""
    env = _environment(session)
    _run(
        session,
        env,
        "ruff",
        "check",
        "examples",
        "tests",
        "site_tools",
        "noxfile.py",
        *session.posargs,
    )
    _run(session, env, "ruff", "format", "--check", "examples", "tests", "site_tools", "noxfile.py")
    _run(session, env, "python", "-m", "site_tools.lint_fences", *session.posargs)
    _run(session, env, "python", "-m", "site_tools.lint_chinese")
    _run(session, env, "actionlint")  # the workflows (.github/actionlint.yaml)


@nox.session
def numerics(session: nox.Session) -> None:
    """Rerun every page's code under other CPU numerics (vector kernels x threads) and report."""
    env = _environment(session)
    with _timed(session, "numerics"):
        _run(session, env, "python", "-m", "site_tools.numerics", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Print build and test timings and the site's weight."""
    env = _environment(session)
    _run(session, env, "python", "-m", "site_tools.bench", *session.posargs)


@nox.session
def chapter(session: nox.Session) -> None:
    """Scaffold a new chapter: -- MODULE --part Models --title-en ... --title-zh ..."""
    env = _environment(session)
    _run(session, env, "python", "-m", "site_tools.scaffold", *session.posargs)


@nox.session
def translations(session: nox.Session) -> None:
    """Report, per page, whether zh and en agree and which side changed last."""
    env = _environment(session)
    _run(session, env, "python", "-m", "site_tools.translations", *session.posargs)
