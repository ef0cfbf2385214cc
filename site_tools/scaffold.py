"""Scaffold a new chapter: both language pages, an example, its test, nav entries.

    nox -s chapter -- MODULE --part "Models" --title-en "Batch normalization" --title-zh "批量归一化"

MODULE is the example's module name (snake_case). The page goes into the folder of the nav part
(for example docs/en/models/); a new part needs --part-zh and --folder. The chapter builds and
passes the tests as it stands; then replace its placeholder code and prose with the real ones.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from site_tools.project import ROOT as PROJECT_ROOT

EXAMPLE = '''"""{title_en}."""

from __future__ import annotations

from collections.abc import Sequence

# isort: split
# --8<-- [start:imports]
import torch

# --8<-- [end:imports]
from examples.common import build_parser, parse_args, seed_everything


# --8<-- [start:compute]
def compute(generator: torch.Generator, device: torch.device) -> float:
    """Placeholder: the mean of 1000 uniform random numbers. Replace with the chapter's code."""
    return torch.rand(1000, generator=generator).to(device).mean().item()


# --8<-- [end:compute]


def main(argv: Sequence[str] | None = None) -> float:
    parser = build_parser("{module}", __doc__)
    args = parse_args(parser, argv)
    generator = seed_everything(args.seed)
    value = compute(generator, args.device)
    print(f"mean: {{value:.3f}}")
    return value


if __name__ == "__main__":
    main()
'''

TEST = '''"""What the chapter "{title_en}" claims, checked against examples/{module}.py."""

from __future__ import annotations

import pytest

from examples.{module} import main


def test_main_returns_what_the_page_shows() -> None:
    assert main(["--quick", "--device", "cpu"]) == pytest.approx(0.5, abs=0.05)
'''

# The exercises' solutions: one copy of their code, shown by both languages' pages.
SOLUTIONS = {
    "solution_1": """    <!--pytest.mark.cont-->
    ```python
    print(0 < value < 1)
    ```

    <!--pytest-codeblocks:expected-output-->
    ```text
    True
    ```""",
    "solution_2": """    <!--pytest.mark.cont-->
    ```python
    print(type(value).__name__)
    ```

    <!--pytest-codeblocks:expected-output-->
    ```text
    float
    ```""",
}

PAGE = {
    "en": """---
example: {module}
---

# {title_en}

Write the chapter here. Its code lives in `examples/{module}.py` and is shown by named section:

```python
--8<-- "examples/{module}.py:imports"
--8<-- "examples/{module}.py:compute"
```

Run it; the tests check that the page shows what the code prints:

<!--pytest.mark.cont-->
```python
from examples.{module} import main

value = main(["--quick"])
```

<!--pytest-codeblocks:expected-output-->
```text
{output}
```

## Summary

- Say in a few lines what the reader can now do.

## Exercises

**1. Predict, then check.** Ask the reader to predict something the code prints, then check it.

??? success "Solution"

    Explain the answer, then show it:

{solution_1}

**2. Change one thing.** Ask the reader to change one argument and say what follows.

??? success "Solution"

{solution_2}
""",
    "zh": """---
example: {module}
---

# {title_zh}

在这里撰写本章。代码位于 `examples/{module}.py`，按命名的代码段展示：

```python
--8<-- "examples/{module}.py:imports"
--8<-- "examples/{module}.py:compute"
```

运行它；测试会核对页面上显示的正是代码打印的内容：

<!--pytest.mark.cont-->
```python
from examples.{module} import main

value = main(["--quick"])
```

<!--pytest-codeblocks:expected-output-->
```text
{output}
```

## 小结

- 用几句话说明读者现在会做什么。

## 练习

**1. 先预测，再验证。** 请读者预测代码会打印什么，再运行验证。

??? success "答案"

    先解释答案，再展示它：

{solution_1}

**2. 改一处。** 请读者改一个参数，并说出结果会怎样变化。

??? success "答案"

{solution_2}
""",
}


class ScaffoldError(ValueError):
    """A request the scaffold cannot carry out; the message says why."""


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """Index just past the YAML block whose header is ``lines[start]``."""
    index = start + 1
    while index < len(lines) and (
        not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > indent
    ):
        index += 1
    return index


# The nav's last parts hold no chapters; a new part goes before the first of them.
AFTER_THE_CHAPTERS = ("The programs", "Contributing")


def _quote(text: str) -> str:
    """The text as mkdocs.yml writes its titles: plain where YAML reads it back unchanged."""
    try:
        plain = yaml.safe_load(f"key: {text}") == {"key": text} and ": " not in text
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)  # JSON is valid YAML


def add_to_nav(config: str, part: str, part_zh: str | None, folder: str, slug: str,
               module: str, title_en: str, title_zh: str) -> str:  # fmt: skip
    lines = config.splitlines()
    nav = lines.index("nav:")
    header = f"  - {part}:"
    entry = f"      - {_quote(title_en)}: {folder}/{slug}.md"
    if header in lines[nav:]:
        start = lines.index(header, nav)
        lines.insert(_block_end(lines, start, 2), entry)
    else:
        if not part_zh:
            raise ScaffoldError(f"mkdocs.yml has no nav part '{part}'; give --part-zh to create it")
        after = next(
            (n for n in range(nav, len(lines))
             if any(lines[n].startswith(f"  - {name}:") for name in AFTER_THE_CHAPTERS)),
            len(lines),
        )  # fmt: skip
        lines[after:after] = [header, entry]
    # New translations go at the end of the list, in the order the chapters were added.
    translations = lines.index("          nav_translations:")
    end = _block_end(lines, translations, 10)
    while not lines[end - 1].strip():
        end -= 1
    new = ([(part, part_zh)] if header not in config and part_zh else []) + [(title_en, title_zh)]
    lines[end:end] = [
        f"            {_quote(english)}: {_quote(chinese)}" for english, chinese in new
    ]
    return "\n".join(lines) + "\n"


def scaffold(module: str, part: str, title_en: str, title_zh: str, part_zh: str | None = None,
             folder: str | None = None, root: Path = PROJECT_ROOT) -> list[Path]:  # fmt: skip
    if not re.fullmatch(r"[a-z][a-z0-9_]*", module):
        raise ScaffoldError(f"'{module}' is not a module name: use lower case, digits and _")
    config_path = root / "mkdocs.yml"
    config = config_path.read_text(encoding="utf-8")
    if folder is None:
        match = re.search(rf"^  - {re.escape(part)}:\n      - .*?: ([\w-]+)/", config, re.MULTILINE)
        if not match:
            raise ScaffoldError(f"cannot tell the folder of nav part '{part}'; give --folder")
        folder = match.group(1)
    slug = module.replace("_", "-")
    targets = {
        "example": root / "examples" / f"{module}.py",
        "test": root / "tests" / f"test_{module}.py",
        "en": root / "docs" / "en" / folder / f"{slug}.md",
        "zh": root / "docs" / "zh" / folder / f"{slug}.md",
    }
    existing = [str(path.relative_to(root)) for path in targets.values() if path.exists()]
    if existing:
        raise ScaffoldError(f"not overwriting what exists: {', '.join(existing)}")
    new_config = add_to_nav(config, part, part_zh, folder, slug, module, title_en, title_zh)
    values = {"module": module, "title_en": title_en, "title_zh": title_zh}
    targets["example"].write_text(EXAMPLE.format(**values), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", f"examples.{module}", "--quick", "--device", "cpu"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        targets["example"].unlink()
        raise ScaffoldError(f"the new example did not run:\n{result.stderr}")
    values["output"] = result.stdout.strip()
    targets["test"].write_text(TEST.format(**values), encoding="utf-8")
    for language in ("en", "zh"):
        targets[language].parent.mkdir(parents=True, exist_ok=True)
        targets[language].write_text(PAGE[language].format(**values, **SOLUTIONS), encoding="utf-8")
    config_path.write_text(new_config, encoding="utf-8")
    return [*targets.values(), config_path]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="nox -s chapter --", description=__doc__.splitlines()[0])
    parser.add_argument("module", help="the example's module name, e.g. batch_norm")
    parser.add_argument("--part", required=True, help="nav part in English, e.g. Models")
    parser.add_argument("--title-en", required=True)
    parser.add_argument("--title-zh", required=True)
    parser.add_argument("--part-zh", help="Chinese name of a new nav part")
    parser.add_argument("--folder", help="docs folder of a new nav part, e.g. layers")
    args = parser.parse_args(argv)
    try:
        written = scaffold(args.module, args.part, args.title_en, args.title_zh, args.part_zh,
                           args.folder)  # fmt: skip
    except ScaffoldError as error:
        parser.exit(2, f"chapter: error: {error}\n")
    for path in written:
        print(
            f"wrote {path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path}"
        )
    print("next: nox -s tests -- -k", args.module)


if __name__ == "__main__":
    main()
