"""Ask Material's search worker, run in Node, what a query finds in an index: no browser needed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).with_name("search_worker.js")


def node() -> str | None:
    return shutil.which("node")


def query(worker: Path, index: dict, text: str) -> list[list[tuple[str, dict[str, bool]]]]:
    """The worker's answer to ``text``: per page, best first, each item's place and matched terms."""
    request = {"worker": str(worker), "index": index, "query": text}
    done = subprocess.run(
        [node() or "node", str(SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{worker.name} failed in Node:\n{done.stderr[-2000:]}")
    return [[(place, terms) for place, terms in page] for page in json.loads(done.stdout)]
