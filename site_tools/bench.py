"""Print the project's speed and weight figures (run by `nox -s bench`).

    python -m site_tools.bench [--repeat N] [--with-tests] [--books] [--fresh-clone]

* cold: figures rebuilt from scratch (into a scratch folder) plus one site build;
* warm: `nox -s docs` work with nothing changed (figures check + build), against a bare
  `mkdocs build` of the same pages; the target ratio is at most 1.3;
* weight: first load of a chapter page (gzip HTML + CSS + JS), search index, figures;
* --loaders: the pipeline's training with 0 and 2 DataLoader workers;
* --with-tests: wall time of the whole pytest suite;
* --books: a forced build of the offline copies and PDFs; their sizes and page counts;
* --browser: first contentful paint and load time of chapter pages in headless Chromium,
  served from loopback (no network latency: a floor, not what a reader on a slow link sees);
* --fresh-clone: clone the repository and run the README's two commands in a new environment
  (slow: it installs torch).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from site_tools.project import ROOT as PROJECT_ROOT
from site_tools.weight import PAGE_BUDGET, SEARCH_INDEX_BUDGET, first_load

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1767225600"}
README_COMMANDS = [
    "python3 -m pip install -r requirements/nox.txt && python3 -m nox -s docs",
    "python3 -m pip install -r requirements/nox.txt && python3 -m nox -s tests",
]


def timed(command: list[str] | str, cwd: Path = PROJECT_ROOT, env=None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        cwd=cwd,
        env=env or ENV,
        check=True,
        shell=isinstance(command, str),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def median(command, repeat: int) -> float:
    return statistics.median(timed(command) for _ in range(repeat))


def browser_timings(site: Path) -> None:
    """First contentful paint, DOMContentLoaded and load of two chapter pages, cold cache."""
    import shutil

    from playwright.sync_api import sync_playwright

    from site_tools.loopback import CHROMIUM_FLAGS, chromium_path, serve

    if chromium_path() is None or shutil.which(chromium_path()) is None:
        print("browser timings: no Chromium found, skipped")
        return
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        for page_path in ("models/linear-regression/", "zh/models/linear-regression/"):
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + page_path, wait_until="load")
            fcp, dcl, load = page.evaluate("""() => {
                const nav = performance.getEntriesByType('navigation')[0];
                const paint = performance.getEntriesByName('first-contentful-paint')[0];
                return [paint ? paint.startTime : NaN, nav.domContentLoadedEventEnd, nav.loadEventEnd];
            }""")
            print(
                f"/{page_path}: first contentful paint {fcp:.0f} ms, "
                f"DOMContentLoaded {dcl:.0f} ms, load {load:.0f} ms"
            )
            context.close()
        browser.close()


def books_report(repeat: int) -> None:
    """Time a forced build of the books; print each file's size and each PDF's page count."""
    from pypdf import PdfReader

    from site_tools import books

    seconds = timed([sys.executable, "-m", "site_tools.books", "--force"])
    print(f"books (offline build, zips, PDFs, forced): {seconds:6.1f} s")
    for path in sorted(books.BOOKS.glob(f"{books.NAME}-*.*")):
        pages = f", {len(PdfReader(path).pages)} pages" if path.suffix == ".pdf" else ""
        print(f"{path.name}: {path.stat().st_size / 1024 / 1024:.2f} MiB{pages}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="nox -s bench --", description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median; default 3)")
    parser.add_argument("--browser", action="store_true", help="also time page loads in Chromium")
    parser.add_argument(
        "--loaders", action="store_true", help="also time the pipeline with 0 and 2 workers"
    )
    parser.add_argument("--with-tests", action="store_true", help="also time the test suite")
    parser.add_argument(
        "--books", action="store_true", help="also build the offline copies and PDFs (timed)"
    )
    parser.add_argument(
        "--fresh-clone", action="store_true", help="also time the README on a clone"
    )
    args = parser.parse_args(argv)
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        build = [python, "-m", "mkdocs", "build", "--site-dir", str(site)]
        figures_cold = [
            python,
            "-c",
            f"from site_tools.figures import build; build('cpu', force=True, root=__import__('pathlib').Path({scratch!r}) / 'figures')",
        ]
        cold = timed(figures_cold) + timed(build)
        bare = median(build, args.repeat)
        check = [python, "-m", "site_tools.figures"]
        warm = median(check, args.repeat) + bare
        print(f"cold figures + build:          {cold:6.1f} s")
        print(f"bare mkdocs build:             {bare:6.1f} s (median of {args.repeat})")
        print(
            f"warm docs (nothing changed):   {warm:6.1f} s, {warm / bare:.2f} x bare (target <= 1.3)"
        )
        for page in ("models/linear-regression/", "zh/models/linear-regression/"):
            total = sum(first_load(site, page).values())
            print(
                f"first load of /{page}: {total / 1024:6.1f} KiB gzip (budget {PAGE_BUDGET / 1024:.0f})"
            )
        index = (site / "search" / "search_index.json").stat().st_size
        print(
            f"search index:                  {index / 1024:6.1f} KiB (budget {SEARCH_INDEX_BUDGET / 1024:.0f})"
        )
        for figure in sorted((site / "figures").rglob("*.*")):
            if figure.suffix not in (".png", ".svg"):
                continue
            print(f"figure {figure.relative_to(site)}: {figure.stat().st_size / 1024:.1f} KiB")
        if args.browser:
            browser_timings(site)
    if args.books:
        books_report(args.repeat)
    if args.loaders:
        for workers in (0, 2):
            command = [python, "-m", "examples.pipeline", "--make-data", "--epochs", "3", "--device", "cpu",
                       "--workers", str(workers), "--out", tempfile.mkdtemp()]  # fmt: skip
            print(f"pipeline, 3 epochs, {workers} workers: {median(command, args.repeat):6.1f} s")
    if args.with_tests:
        print(f"tests (pytest, whole suite):   {timed([python, '-m', 'pytest', '-q']):6.1f} s")
    if args.fresh_clone:
        with tempfile.TemporaryDirectory() as scratch:
            clone = Path(scratch) / "clone"
            subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(clone)], check=True)
            env = {**ENV, "TUTORIAL_VENV": str(Path(scratch) / "venv")}
            for command in README_COMMANDS:
                print(f"fresh clone: {command}: {timed(command, cwd=clone, env=env):6.1f} s")


if __name__ == "__main__":
    main()
