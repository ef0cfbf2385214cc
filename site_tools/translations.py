"""Translation status: per page, do the two languages agree, and which side changed last?

    python -m site_tools.translations      (or `nox -s translations`)

The site shows the same table on its translation-status page (see site_tools/hooks.py).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime

from site_tools.parity import page_differences, trees
from site_tools.project import LANGUAGES
from site_tools.project import ROOT as PROJECT_ROOT

LABELS = {
    "en": {
        "page": "page", "agree": "structure, code and figures", "changed": "last change",
        "yes": "agree", "no": "differ", "missing": "missing in {lang}", "same": "same commit",
        "newer": "{lang} is newer", "unknown": "not committed yet",
    },
    "zh": {
        "page": "页面", "agree": "结构、代码与图片", "changed": "最近修改",
        "yes": "一致", "no": "不一致", "missing": "{lang} 缺失", "same": "同一次提交",
        "newer": "{lang} 较新", "unknown": "尚未提交",
    },
}  # fmt: skip


@dataclass
class Status:
    page: str
    missing: list[str]
    problems: list[str]
    last_change: dict[str, int | None]  # commit time (Unix seconds) of each side

    @property
    def newer(self) -> str | None:
        times = {lang: t for lang, t in self.last_change.items() if t is not None}
        if len(times) < 2 or len(set(times.values())) == 1:
            return None
        return max(times, key=times.get)


def commit_times() -> dict[str, int]:
    """The last commit time of every file under docs/, from one ``git log`` (path -> seconds)."""
    try:
        out = subprocess.run(
            ["git", "log", "--format=%x00%ct", "--name-only", "--", "docs"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    times: dict[str, int] = {}
    for entry in out.split("\0")[1:]:
        lines = entry.strip().splitlines()
        for name in lines[1:]:
            times.setdefault(name.strip(), int(lines[0]))  # newest first: keep the first seen
    return times


def report() -> list[Status]:
    pages = trees()
    times = commit_times()
    statuses = []
    for rel in sorted(set().union(*pages.values())):
        missing = [lang for lang in LANGUAGES if rel not in pages[lang]]
        problems = [] if missing else page_differences(rel)
        last = {
            lang: None if lang in missing else times.get(f"docs/{lang}/{rel.as_posix()}")
            for lang in LANGUAGES
        }
        statuses.append(Status(rel.as_posix(), missing, problems, last))
    return statuses


def as_markdown(statuses: list[Status], language: str) -> str:
    text = LABELS[language]
    rows = [f"| {text['page']} | {text['agree']} | {text['changed']} |", "|---|---|---|"]
    for status in statuses:
        if status.missing:
            agree = text["missing"].format(lang=", ".join(status.missing))
        else:
            agree = text["yes"] if not status.problems else text["no"]
        times = [t for t in status.last_change.values() if t is not None]
        if not times:
            changed = text["unknown"]
        else:
            day = datetime.fromtimestamp(max(times), UTC).date().isoformat()
            side = status.newer
            changed = f"{day}, " + (text["newer"].format(lang=side) if side else text["same"])
        rows.append(f"| `{status.page}` | {agree} | {changed} |")
    return "\n".join(rows)


def main() -> int:
    statuses = report()
    print(as_markdown(statuses, "en"))
    for status in statuses:
        for problem in status.problems:
            print(problem)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
