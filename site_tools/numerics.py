"""The numerics matrix: every page's code under other CPU numerics, checked against its page.

A page must hold on every reader's machine, not only on the one its outputs came from. This
reruns the code of every chapter (one run for both languages, whose code is the same) under
each combination of

* the vector instructions that torch's CPU kernels may use, from none (``default``) to the
  widest this processor has: ATen's own kernels (``ATEN_CPU_CAPABILITY``), and with them MKL's
  matrix products (``MKL_ENABLE_INSTRUCTIONS``) and oneDNN's convolutions
  (``ONEDNN_MAX_CPU_ISA``), so that one machine also runs the code paths of older processors;
* the number of threads (1, 2 and 4),

then compares what each fence printed with the page: exact outputs must be equal, measured ones
within their tolerance (``site_tools.outputs``). The report gives, per page and setting, the
largest share of a tolerance used (1.00 is the limit) and lists every failure.

    python -m site_tools.numerics [--capabilities default,avx2] [--threads 1,2,4] [CHAPTER ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from site_tools import notebooks, project
from site_tools.outputs import compare
from site_tools.project import ROOT

WORKER = Path(__file__).with_name("numerics_worker.py")
REPORT = ROOT / "build" / "numerics.json"
THREADS = (1, 2, 4)
# ATEN_CPU_CAPABILITY's values on each processor family, narrowest first.
LADDERS = {"x86_64": ("default", "avx2", "avx512"), "AMD64": ("default", "avx2", "avx512")}
# The same limit for the libraries torch calls on x86 (the widest level: no limit).
LIBRARY_LIMITS = {
    "default": {"MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "ONEDNN_MAX_CPU_ISA": "SSE41"},
    "avx2": {"MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
}


@dataclass(frozen=True)
class Setting:
    capability: str
    threads: int

    @property
    def name(self) -> str:
        return f"{self.capability}×{self.threads}"

    def environment(self) -> dict[str, str]:
        variables = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("ATEN_CPU_CAPABILITY", "OMP_", "MKL_", "ONEDNN_", "TUTORIAL_"))
        }
        if platform.machine() in LADDERS:
            variables.update(LIBRARY_LIMITS.get(self.capability, {}))
        variables.update(
            ATEN_CPU_CAPABILITY=self.capability,
            OMP_NUM_THREADS=str(self.threads),
            MKL_NUM_THREADS=str(self.threads),
            CUDA_VISIBLE_DEVICES="",  # the matrix is about CPUs; --device auto must pick one
            MPLBACKEND="Agg",
        )
        return variables


def native_capability() -> str:
    import torch

    return torch.backends.cpu.get_cpu_capability().lower()


def capabilities() -> list[str]:
    """From no vector kernels to the widest this processor runs."""
    native = native_capability()
    ladder = LADDERS.get(platform.machine(), ("default", native))
    return list(ladder[: ladder.index(native) + 1]) if native in ladder else ["default", native]


@dataclass
class Page:
    """The code of one chapter, as its notebooks run it, and the fences each cell comes from."""

    example: str
    labels: list[str]
    cells: list[str]
    fences: list  # per code cell: its Fence, or None for inlined helpers


def chapter_code(examples: list[str] | None = None) -> list[Page]:
    """Every chapter's code once: both languages run the same cells (a test checks that)."""
    found: dict[str, Page] = {}
    for language in project.LANGUAGES:
        for chapter in notebooks.chapters(language):
            if examples and chapter.example not in examples:
                continue
            notebook, origins = notebooks.make(chapter, "https://example.invalid/", language)
            fence_of = {source.cell: source.fence for source in origins}
            cells = [
                (cell.source, fence_of.get(number))
                for number, cell in enumerate(notebook.cells)
                if cell.cell_type == "code"
            ]
            if chapter.example in found:
                page = found[chapter.example]
                if page.cells != [code for code, _ in cells]:
                    raise SystemExit(f"{chapter.label}: its code differs from the other language")
                page.labels.append(chapter.label)
                continue
            found[chapter.example] = Page(
                chapter.example,
                [chapter.label],
                [code for code, _ in cells],
                [fence for _, fence in cells],
            )
    return list(found.values())


def run(setting: Setting, pages: list[Page]) -> dict:
    """Run every page's code under one setting, in one fresh process."""
    with tempfile.TemporaryDirectory(prefix="tutorial-matrix-") as scratch:
        job, result = Path(scratch, "job.json"), Path(scratch, "result.json")
        job.write_text(json.dumps([{"label": p.example, "cells": p.cells} for p in pages]))
        completed = subprocess.run(
            [sys.executable, str(WORKER), str(job), str(result)],
            env=setting.environment(),
            cwd=scratch,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0 or not result.is_file():
            raise RuntimeError(f"{setting.name}: the worker failed:\n{completed.stderr[-3000:]}")
        return json.loads(result.read_text(encoding="utf-8"))


@dataclass
class Verdict:
    """One page under one setting."""

    worst: float = 0.0  # largest share of a tolerance used by a measured number
    worst_at: str = ""
    measured: int = 0
    exact: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def judge(page: Page, outcome: dict) -> Verdict:
    verdict = Verdict(seconds=outcome["seconds"])
    for number, (fence, result) in enumerate(zip(page.fences, outcome["cells"], strict=False)):
        where = fence.id if fence else f"{page.example}: inlined helpers (cell {number})"
        if result["error"]:
            verdict.failures.append(f"{where} raised:\n{result['error']}")
            return verdict
        if fence is None or fence.expected_output is None:
            continue
        comparison = compare(fence.expected_output, result["stdout"], fence.tolerance)
        if fence.tolerance:
            verdict.measured += 1
        else:
            verdict.exact += 1
        if comparison.worst > verdict.worst:
            verdict.worst = comparison.worst
            verdict.worst_at = f"{fence.id} {comparison.worst_at}"
        if not comparison.ok:
            verdict.failures.append(
                f"{fence.id} ({'measured' if fence.tolerance else 'exact'}): "
                f"{comparison.problem}\n--- printed\n{result['stdout'].rstrip()}\n"
                f"--- the page shows\n{fence.expected_output.rstrip()}"
            )
    if len(outcome["cells"]) < len(page.cells):
        verdict.failures.append(f"{page.example}: stopped early")
    return verdict


def matrix(settings: list[Setting], pages: list[Page], jobs: int = 1, log=print) -> dict:
    """{setting name: {"machine": ..., "pages": {example: Verdict}}} for every setting."""

    def one(setting: Setting):
        start = time.perf_counter()
        outcome = run(setting, pages)
        by_label = {entry["label"]: entry for entry in outcome["notebooks"]}
        verdicts = {page.example: judge(page, by_label[page.example]) for page in pages}
        failed = sum(bool(v.failures) for v in verdicts.values())
        log(f"numerics: {setting.name} ({outcome['machine']['capability']}, "
            f"{outcome['machine']['threads']} threads) {time.perf_counter() - start:.0f} s, "
            f"{failed} page(s) failed")  # fmt: skip
        return setting.name, {"machine": outcome["machine"], "pages": verdicts}

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(one, settings))


def table(results: dict) -> str:
    """Pages down, settings across: the largest share of a tolerance used, or FAIL."""
    names = list(results)
    examples = list(next(iter(results.values()))["pages"]) if results else []
    width = max(len(e) for e in examples) if examples else 10
    lines = ["page".ljust(width) + "  " + "  ".join(n.rjust(11) for n in names)]
    for example in examples:
        cells = []
        for name in names:
            verdict = results[name]["pages"][example]
            shown = "FAIL" if verdict.failures else ("exact" if not verdict.measured else
                                                     f"{verdict.worst:.2f}")  # fmt: skip
            cells.append(shown.rjust(11))
        lines.append(example.ljust(width) + "  " + "  ".join(cells))
    return "\n".join(lines)


def failures(results: dict) -> list[str]:
    return [
        f"[{name}] {failure}"
        for name, result in results.items()
        for verdict in result["pages"].values()
        for failure in verdict.failures
    ]


def save(results: dict, path: Path = REPORT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        name: {
            "machine": result["machine"],
            "pages": {example: vars(verdict) for example, verdict in result["pages"].items()},
        }
        for name, result in results.items()
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_tools.numerics", description=__doc__)
    parser.add_argument("examples", nargs="*", help="chapters by example module (default: all)")
    parser.add_argument("--capabilities", help="comma-separated (default: default up to native)")
    parser.add_argument("--threads", default=",".join(map(str, THREADS)))
    parser.add_argument("--jobs", type=int, default=1, help="settings run at once")
    args = parser.parse_args(argv)
    kinds = args.capabilities.split(",") if args.capabilities else capabilities()
    settings = [Setting(k, int(t)) for k in kinds for t in args.threads.split(",")]
    pages = chapter_code(args.examples or None)
    print(f"numerics: {len(pages)} chapters under {len(settings)} settings "
          f"(native kernels: {native_capability()})")  # fmt: skip
    results = matrix(settings, pages, jobs=args.jobs)
    save(results)
    print(table(results))
    problems = failures(results)
    for problem in problems:
        print("\n" + problem)
    print(f"numerics: {len(problems)} failure(s); report in {REPORT.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
