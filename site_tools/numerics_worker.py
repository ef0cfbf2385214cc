"""Run notebooks' code in this process, each in a fresh namespace and an empty folder.

``site_tools.numerics`` starts this script once per CPU setting (vector kernels, threads), which
it sets in the environment, so that torch reads them when it is imported. No Jupyter kernel:
one torch import serves every page. The project stays unimportable, as in a notebook.

    python site_tools/numerics_worker.py JOB.json RESULT.json

JOB: ``[{"label": ..., "cells": [code, ...]}, ...]``. RESULT: per notebook, each cell's
``stdout`` and ``error`` (a traceback, after which the notebook's later cells are not run).
"""

from __future__ import annotations

import contextlib
import importlib.abc
import io
import json
import os
import sys
import tempfile
import time
import traceback

PROJECT_PACKAGES = ("examples", "site_tools")


class NoProject(importlib.abc.MetaPathFinder):
    """The notebooks run without the project: importing it fails as it would for a reader."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in PROJECT_PACKAGES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def machine() -> dict:
    import platform

    import torch

    return {
        "torch": torch.__version__,
        "machine": platform.machine(),
        "capability": torch.backends.cpu.get_cpu_capability(),
        "threads": torch.get_num_threads(),
    }


def run_notebook(label: str, cells: list[str]) -> dict:
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    namespace: dict = {"__name__": "__main__"}
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="tutorial-numerics-") as folder:
        os.chdir(folder)
        for number, code in enumerate(cells):
            printed, error = io.StringIO(), None
            try:
                with contextlib.redirect_stdout(printed):
                    exec(compile(code, f"<{label} cell {number}>", "exec"), namespace)
            except Exception:
                error = traceback.format_exc()
            results.append({"stdout": printed.getvalue(), "error": error})
            if error:
                break
        os.chdir(tempfile.gettempdir())
    plt.close("all")
    return {"label": label, "cells": results, "seconds": time.perf_counter() - start}


def main(job_path: str, result_path: str) -> int:
    sys.meta_path.insert(0, NoProject())
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display

    IPython.display.display = lambda *objects, **options: None  # figures are not compared

    import torch

    # torch caps its default at the cores it sees; a reader's machine may have more.
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
    job = json.loads(open(job_path, encoding="utf-8").read())
    results = [run_notebook(entry["label"], entry["cells"]) for entry in job]
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump({"machine": machine(), "notebooks": results}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
