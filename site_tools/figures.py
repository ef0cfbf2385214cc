"""Build the figures of every example that draws some, skipping those already up to date.

An example draws figures when it names them in a module-level ``FIGURES`` tuple. Its cache key
covers its own source, every project module it imports (transitively), the torch and matplotlib
versions and the device; the key is stored beside the figures. An example runs into a temporary
folder and its figures replace the old ones only when it succeeds, so a failed run never leaves
half a set of figures behind.

    python -m site_tools.figures [--device auto|cpu|cuda] [--force] [EXAMPLE ...]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from examples.paths import FIGURES_ROOT
from site_tools.project import ROOT as PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "examples"
KEY_FILE = ".cache-key"
PROVENANCE_FILE = "provenance.json"


@dataclass
class Outcome:
    ran: list[str]
    skipped: list[str]


def module_constant(path: Path, name: str):
    """The literal value of a module-level constant, read without importing the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    return None


def figure_examples() -> dict[str, tuple[str, ...]]:
    """Map each example that declares ``FIGURES`` to the file names it writes."""
    found = {}
    for path in sorted(EXAMPLES.glob("*.py")):
        figures = module_constant(path, "FIGURES")
        if figures is not None:
            found[path.stem] = tuple(figures)
    return found


def project_imports(path: Path, seen: set[Path] | None = None) -> set[Path]:
    """``path`` and every module of the ``examples`` package it imports, transitively."""
    seen = set() if seen is None else seen
    if path in seen:
        return seen
    seen.add(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "examples" and len(parts) > 1:
                candidate = EXAMPLES / f"{parts[1]}.py"
                if candidate.is_file():
                    project_imports(candidate, seen)
    return seen


def resolve_device(device: str) -> str:
    """The device an example will run on, without importing torch (which takes seconds).

    ``auto`` counts as CUDA when an NVIDIA driver is loaded; the example itself decides with
    torch, so a wrong guess here only costs one needless rebuild.
    """
    if device == "auto":
        return "cuda" if Path("/proc/driver/nvidia/version").exists() else "cpu"
    return device


def cache_key(example: str, device: str) -> str:
    digest = hashlib.sha256()
    for module in sorted(project_imports(EXAMPLES / f"{example}.py")):
        digest.update(module.relative_to(PROJECT_ROOT).as_posix().encode())
        digest.update(module.read_bytes())
    versions = f"torch={version('torch')};matplotlib={version('matplotlib')};device={device}"
    digest.update(versions.encode())
    digest.update(_cjk_font().encode())  # the Chinese figures are drawn with it
    return digest.hexdigest()


def _cjk_font() -> str:
    """The file and size of the font the Chinese figures use, without importing matplotlib."""
    for folder in ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts")):
        for path in sorted(Path(folder).rglob("NotoSansCJK-Regular.ttc")):
            return f"{path}:{path.stat().st_size}"
    return "no CJK font"


def is_fresh(example: str, names: tuple[str, ...], key: str, root: Path) -> bool:
    folder = root / example
    stored = folder / KEY_FILE
    return (
        stored.is_file()
        and stored.read_text().strip() == key
        and all((folder / name).is_file() for name in (*names, PROVENANCE_FILE))
    )


def build(
    device: str = "auto",
    only: list[str] | None = None,
    force: bool = False,
    root: Path = FIGURES_ROOT,
) -> Outcome:
    """Run every stale example; raise ``RuntimeError`` naming the example that failed."""
    resolved = resolve_device(device)
    examples = figure_examples()
    unknown = sorted(set(only or []) - set(examples))
    if unknown:
        raise ValueError(
            f"no example draws figures under the name(s) {', '.join(unknown)}; "
            f"known: {', '.join(examples)}"
        )
    outcome = Outcome(ran=[], skipped=[])
    for example, names in examples.items():
        if only and example not in only:
            continue
        key = cache_key(example, resolved)
        if not force and is_fresh(example, names, key, root):
            outcome.skipped.append(example)
            continue
        run_one(example, names, key, resolved, root)
        outcome.ran.append(example)
    return outcome


def build_date() -> str:
    """Today (UTC), or the day SOURCE_DATE_EPOCH names, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.date().isoformat()


def provenance(device: str) -> dict[str, str]:
    """What produced a set of figures: shown on the chapter page."""
    return {"torch": version("torch"), "device": device, "date": build_date()}


def run_one(example: str, names: tuple[str, ...], key: str, device: str, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=f".{example}-") as scratch:
        extra = module_constant(EXAMPLES / f"{example}.py", "FIGURE_ARGS") or ()
        command = [sys.executable, "-m", f"examples.{example}", "--device", device]
        command += ["--out", scratch, *extra]
        result = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"examples/{example}.py failed (exit {result.returncode}); its figures were left "
                f"as they were.\n{result.stderr.strip()}"
            )
        missing = [name for name in names if not (Path(scratch) / name).is_file()]
        if missing:
            raise RuntimeError(
                f"examples/{example}.py lists {', '.join(missing)} in FIGURES but did not write it"
            )
        folder = root / example
        folder.mkdir(exist_ok=True)
        for name in names:
            os.replace(Path(scratch) / name, folder / name)
        (folder / PROVENANCE_FILE).write_text(json.dumps(provenance(device), sort_keys=True) + "\n")
        (folder / KEY_FILE).write_text(key + "\n")
    kept = (*names, KEY_FILE, PROVENANCE_FILE)
    stale = sorted(p.name for p in (root / example).iterdir() if p.name not in kept)
    for name in stale:  # figures an older version of the example drew
        target = root / example / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()


def main(argv: list[str] | None = None) -> Outcome:
    parser = argparse.ArgumentParser(prog="nox -s figures --", description=__doc__.split("\n")[0])
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument("examples", nargs="*", help="only these examples (default: all)")
    args = parser.parse_args(argv)
    try:
        outcome = build(args.device, args.examples, args.force)
    except SyntaxError as error:
        where = Path(error.filename or "?").resolve()
        where = where.relative_to(PROJECT_ROOT) if where.is_relative_to(PROJECT_ROOT) else where
        parser.exit(2, f"figures: error: {where}:{error.lineno}: {error.msg}\n")
    except (RuntimeError, ValueError) as error:
        parser.exit(2, f"figures: error: {error}\n")
    print(
        f"figures: ran {len(outcome.ran)} ({', '.join(outcome.ran) or 'none'}), "
        f"skipped {len(outcome.skipped)} up to date ({', '.join(outcome.skipped) or 'none'})"
    )
    return outcome


if __name__ == "__main__":
    main()
