"""Print the project's speed and weight figures (run by `nox -s bench`).

    python -m site_tools.bench [--repeat N] [--with-tests] [--books] [--fresh-clone]

* cold: figures rebuilt from scratch (into a scratch folder) plus one site build;
* warm: `nox -s docs` work with nothing changed (figures check + build), against a bare
  `mkdocs build` of the same pages; the target ratio is at most 1.3;
* weight: first load of a chapter page (gzip HTML + CSS + JS), search index, figures;
* --loaders: the pipeline's training with 0 and 2 DataLoader workers;
* --with-tests: wall time of `nox -s tests` (target 300 s), step by step;
* --books: a forced build of the offline copies and PDFs; their sizes and page counts;
* --browser: first contentful paint and load time of chapter pages in headless Chromium,
  served from loopback (no network latency: a floor, not what a reader on a slow link sees);
* --lighthouse: Lighthouse 12 (desktop preset, the system's Chromium) on the home page, a prose
  chapter and figure-heavy chapters, in both languages, built for and served at
  LOOPBACK_SITE_URL (127.0.0.1:8000) so that absolute links stay on the site; the median of --repeat runs per
  page; exits 1 below 100 anywhere;
* --fresh-clone: clone the repository and run the README's two commands in a new environment
  (slow: it installs torch), with where the time goes.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from site_tools.project import LOOPBACK_SITE_URL
from site_tools.project import ROOT as PROJECT_ROOT
from site_tools.weight import PAGE_BUDGET, SEARCH_INDEX_BUDGET, first_load

# Built for loopback, where Lighthouse serves it, so that absolute links stay on the site.
ENV = {
    **os.environ,
    "NO_MKDOCS_2_WARNING": "1",
    "SOURCE_DATE_EPOCH": "1767225600",
    "SITE_URL": LOOPBACK_SITE_URL,
}
TESTS_TARGET = 300  # seconds, `nox -s tests` with the environment present
FRESH_CLONE_TARGET = 600  # seconds, both README commands on a fresh clone
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


STEP = re.compile(r"nox > time: (\w+) ([\d.]+) s")


def nox_steps(command: str, cwd: Path, env=None) -> tuple[float, dict[str, float]]:
    """Run a nox command line; return its wall time and the time of each step it logged."""
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, env=env or ENV, shell=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{command} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    steps: dict[str, float] = {}
    for name, seconds in STEP.findall(result.stdout + result.stderr):
        steps[name] = steps.get(name, 0.0) + float(seconds)
    return elapsed, steps


def verdict(elapsed: float, target: float) -> str:
    return f"(target <= {target:.0f} s: {'ok' if elapsed <= target else 'OVER'})"


def print_steps(
    label: str, elapsed: float, steps: dict[str, float], target: float | None = None
) -> None:
    print(f"{label}: {elapsed:6.1f} s" + ("" if target is None else f" {verdict(elapsed, target)}"))
    for name, seconds in steps.items():
        print(f"    {name:<12} {seconds:6.1f} s")
    print(f"    {'other':<12} {elapsed - sum(steps.values()):6.1f} s (pip, nox, npm)")


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


LIGHTHOUSE = PROJECT_ROOT / "site_tools" / "lighthouse"
LIGHTHOUSE_PAGES = [
    "",
    "recipe/",
    "models/linear-regression/",
    "layers/convolution/",
    "models/pipeline/",
    "modern/attention/",  # a chapter of the modern building blocks: formulas and a figure
    "programs/weight_init/",  # a program page: mkdocs-jupyter's rendering, with a figure
]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse_scores(site: Path, runs: int) -> bool:
    """Lighthouse on each page in both languages, the median of ``runs`` runs per page (as
    Lighthouse advises: one run varies with the machine's load); print a table; True if all 100."""
    import json
    import shutil
    from urllib.parse import urlsplit

    from site_tools.loopback import chromium_path, serve
    from site_tools.project import LANGUAGES, default_language

    chromium = chromium_path()
    if chromium is None or shutil.which(chromium) is None:
        print("lighthouse: no Chromium found (apt-get install chromium)")
        return False
    if not (LIGHTHOUSE / "node_modules" / ".bin" / "lighthouse").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=LIGHTHOUSE, check=True
        )
    port = urlsplit(LOOPBACK_SITE_URL).port
    perfect = True
    rows = [
        f"Lighthouse 12, desktop preset, median of {runs} runs per page:",
        f"| page | {' | '.join(CATEGORIES)} | performance of each run | TBT | LCP |",
        "|---|" + "---|" * (len(CATEGORIES) + 3),
    ]
    with serve(site, port=port) as base, tempfile.TemporaryDirectory() as scratch:
        for path in LIGHTHOUSE_PAGES:
            for language in LANGUAGES:
                prefix = "" if language == default_language() else f"{language}/"
                results = []
                for run in range(runs):
                    report = Path(scratch) / f"report-{run}.json"
                    subprocess.run(
                        [str(LIGHTHOUSE / "node_modules" / ".bin" / "lighthouse"), base + prefix + path,
                         "--preset=desktop", "--output=json", f"--output-path={report}", "--quiet",
                         f"--only-categories={','.join(CATEGORIES)}",
                         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                        env={**os.environ, "CHROME_PATH": chromium}, check=True,
                    )  # fmt: skip
                    results.append(json.loads(report.read_text(encoding="utf-8")))
                scores = [
                    statistics.median(r["categories"][name]["score"] for r in results)
                    for name in CATEGORIES
                ]
                each = " ".join(f"{r['categories']['performance']['score']:.2f}" for r in results)
                blocking, largest = (
                    statistics.median(r["audits"][audit]["numericValue"] for r in results)
                    for audit in ("total-blocking-time", "largest-contentful-paint")
                )
                rows.append(
                    f"| /{prefix + path} | "
                    + " | ".join(f"{s:.2f}" for s in scores)
                    + f" | {each} | {blocking:.0f} ms | {largest:.0f} ms |"
                )
                if min(scores) < 1:
                    perfect = False
                    worst = min(results, key=lambda r: r["categories"]["performance"]["score"])
                    for name in CATEGORIES:
                        for ref in worst["categories"][name]["auditRefs"]:
                            audit = worst["audits"][ref["id"]]
                            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                                shown = audit.get("displayValue", "")
                                rows.append(
                                    f"|   {name}: {audit['id']} {audit['score']:.2f} {shown} | |"
                                )
    print("\n".join(rows))
    return perfect


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
    parser.add_argument(
        "--lighthouse", action="store_true", help="also score pages with Lighthouse (target 100)"
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
        perfect = lighthouse_scores(site, args.repeat) if args.lighthouse else True
    if args.books:
        books_report(args.repeat)
    if args.loaders:
        for workers in (0, 2):
            command = [python, "-m", "examples.pipeline", "--make-data", "--epochs", "3", "--device", "cpu",
                       "--workers", str(workers), "--out", tempfile.mkdtemp()]  # fmt: skip
            print(f"pipeline, 3 epochs, {workers} workers: {median(command, args.repeat):6.1f} s")
    if args.with_tests:
        elapsed, steps = nox_steps(f"{python} -m nox -s tests", PROJECT_ROOT)
        print_steps("nox -s tests (environment present)", elapsed, steps, TESTS_TARGET)
    if args.fresh_clone:
        with tempfile.TemporaryDirectory() as scratch:
            clone = Path(scratch) / "clone"
            subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(clone)], check=True)
            env = {**ENV, "TUTORIAL_VENV": str(Path(scratch) / "venv")}
            total = 0.0
            for command in README_COMMANDS:
                elapsed, steps = nox_steps(command, clone, env)
                print_steps(f"fresh clone: {command}", elapsed, steps)
                total += elapsed
            print(
                f"fresh clone, both commands: {total:6.1f} s {verdict(total, FRESH_CLONE_TARGET)}"
            )
    if not perfect:
        sys.exit(1)


if __name__ == "__main__":
    main()
