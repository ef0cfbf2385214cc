"""The figures runner: cached by content, rebuilds only what changed, never half-writes."""

from __future__ import annotations

import json

import pytest

from site_tools import figures


def test_examples_that_draw_figures_are_found() -> None:
    found = figures.figure_examples()
    assert found["linear_regression"] == ("fit.en.svg", "fit.zh.svg")
    assert found["weight_init"] == ("std_per_layer.en.svg", "std_per_layer.zh.svg")
    assert "recipe" not in found


def test_second_run_runs_nothing(tmp_path) -> None:
    first = figures.build("cpu", only=["linear_regression"], root=tmp_path)
    assert first.ran == ["linear_regression"]
    stamp = (tmp_path / "linear_regression" / "fit.zh.svg").stat().st_mtime_ns
    second = figures.build("cpu", only=["linear_regression"], root=tmp_path)
    assert second.ran == [] and second.skipped == ["linear_regression"]
    assert (tmp_path / "linear_regression" / "fit.zh.svg").stat().st_mtime_ns == stamp
    facts = json.loads((tmp_path / "linear_regression" / "provenance.json").read_text())
    assert facts["device"] == "cpu" and facts["torch"]


def test_key_covers_imported_project_modules_and_device() -> None:
    imported = {path.name for path in figures.project_imports(figures.EXAMPLES / "recipe.py")}
    assert imported == {"recipe.py", "common.py", "linear_regression.py", "paths.py"}
    assert figures.cache_key("linear_regression", "cpu") != figures.cache_key(
        "linear_regression", "cuda"
    )


def test_editing_a_module_changes_only_the_keys_that_import_it(tmp_path, monkeypatch) -> None:
    import shutil

    copy = tmp_path / "examples"
    shutil.copytree(figures.EXAMPLES, copy)
    monkeypatch.setattr(figures, "EXAMPLES", copy)
    monkeypatch.setattr(figures, "PROJECT_ROOT", tmp_path)
    before = {name: figures.cache_key(name, "cpu") for name in ("linear_regression", "recipe")}
    (copy / "recipe.py").write_text((copy / "recipe.py").read_text() + "\n# edited\n")
    after = {name: figures.cache_key(name, "cpu") for name in ("linear_regression", "recipe")}
    assert after["linear_regression"] == before["linear_regression"]
    assert after["recipe"] != before["recipe"]


def test_a_failing_example_leaves_existing_figures_alone(tmp_path) -> None:
    folder = tmp_path / "linear_regression"
    folder.mkdir()
    (folder / "fit.png").write_bytes(b"the figure from the last good run")
    with pytest.raises(RuntimeError, match="examples/linear_regression.py failed"):
        figures.run_one("linear_regression", ("fit.png",), "key", "no-such-device", tmp_path)
    assert (folder / "fit.png").read_bytes() == b"the figure from the last good run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linear_regression"]


def test_unknown_example_is_named() -> None:
    with pytest.raises(ValueError, match="no_such_example"):
        figures.build("cpu", only=["no_such_example"])


def test_a_syntax_error_is_one_line_naming_the_file(tmp_path, monkeypatch, capsys) -> None:
    import shutil

    copy = tmp_path / "examples"
    shutil.copytree(figures.EXAMPLES, copy)
    (copy / "linear_regression.py").write_text("def broken(:\n")
    monkeypatch.setattr(figures, "EXAMPLES", copy)
    with pytest.raises(SystemExit) as exit_info:
        figures.main(["--device", "cpu"])
    assert exit_info.value.code == 2
    assert "linear_regression.py:1:" in capsys.readouterr().err
