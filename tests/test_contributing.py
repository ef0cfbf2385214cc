"""CONTRIBUTING in both languages says what a contributor needs, with commands that exist."""

from __future__ import annotations

import re

import pytest

from examples.paths import PROJECT_ROOT

GUIDES = [PROJECT_ROOT / "CONTRIBUTING.md", PROJECT_ROOT / "CONTRIBUTING.zh.md"]


@pytest.fixture(scope="module")
def sessions() -> set[str]:
    """The noxfile's sessions, registered once (nox warns when a session is registered twice)."""
    import runpy

    import nox.registry

    if not nox.registry.get():
        runpy.run_path(str(PROJECT_ROOT / "noxfile.py"))
    return set(nox.registry.get())


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_uses_the_readme_commands_and_real_sessions(guide, sessions) -> None:
    text = guide.read_text(encoding="utf-8")
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python3 -m pip install .*? -s (?:docs|tests)$", readme, re.MULTILINE)
    assert len(commands) == 2
    for command in commands:
        assert command in text
    for session in re.findall(r"nox -s (\w+)", text):
        assert session in sessions, f"{guide.name} names a session that does not exist: {session}"


def test_both_guides_have_the_same_sections() -> None:
    counts = [len(re.findall(r"^## ", g.read_text(encoding="utf-8"), re.MULTILINE)) for g in GUIDES]
    assert counts[0] == counts[1] >= 6
