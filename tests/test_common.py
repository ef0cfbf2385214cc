"""The helpers every example shares: device choice, flags, reproducible figures."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from examples.common import choose_device, save_figure
from examples.paths import PROJECT_ROOT

no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")


def test_auto_picks_what_is_there() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert choose_device("auto").type == expected


@no_gpu
def test_cuda_without_a_gpu_is_one_line_and_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "examples.linear_regression", "--quick", "--device", "cuda"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "--device cuda" in result.stderr and "Traceback" not in result.stderr


def test_unknown_device_names_the_choices() -> None:
    with pytest.raises(ValueError, match="auto, cpu, cuda"):
        choose_device("tpu")


def test_save_figure_leaves_no_temporary_file_behind(tmp_path) -> None:
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    axes.plot([0, 1], [0, 1])
    path = save_figure(figure, tmp_path / "line.png")
    assert [p.name for p in tmp_path.iterdir()] == ["line.png"]
    assert path.stat().st_mode & 0o044 == 0o044  # readable by the web server too
    assert b"Software" not in path.read_bytes()  # no version stamp: same bytes on every build


def test_chinese_labels_are_drawn_with_glyphs(tmp_path) -> None:
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt

    from examples.common import figure_style

    def draw(style: dict) -> None:
        with matplotlib.rc_context(style):
            figure, axis = plt.subplots()
            axis.set(title="损失（对数刻度）", xlabel="迭代")
            save_figure(figure, tmp_path / "label.svg")

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        draw(figure_style("zh"))
        with pytest.raises(UserWarning, match="missing from font"):
            draw({"font.family": ["DejaVu Sans"]})  # the check can fail: no CJK glyphs there


def test_a_missing_cjk_font_says_what_to_install(monkeypatch) -> None:
    from examples import common

    monkeypatch.setattr(common, "CJK_FONT", "No Such Font CJK")
    with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
        common.figure_style("zh")


def test_svg_figures_are_the_same_bytes_every_time(tmp_path) -> None:
    import matplotlib
    import matplotlib.pyplot as plt

    from examples.common import figure_style

    outputs = []
    for name in ("a.svg", "b.svg"):
        with matplotlib.rc_context(figure_style("zh")):
            figure, axis = plt.subplots()
            axis.plot([0, 1], [1, 0], label="数据")
            axis.legend()
            outputs.append(save_figure(figure, tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]


def test_text_too_small_for_the_column_names_the_figure(tmp_path) -> None:
    """Twice the column's width, a figure shows a point as 0.69 px: 9 pt would be 6.2 px."""
    import matplotlib.pyplot as plt

    from examples.common import COLUMN_PX, FigureTextTooSmall

    figure, axes = plt.subplots(figsize=(2 * COLUMN_PX / 100, 3))
    axes.set_title("a title", fontsize=9)
    axes.axis("off")
    with pytest.raises(FigureTextTooSmall, match=r"wide\.png: 'a title' would show 6\.2 px"):
        save_figure(figure, tmp_path / "wide.png")
    assert not list(tmp_path.iterdir()), "nothing is written"


def test_a_photo_figure_is_drawn_for_each_scheme_a_plot_once(tmp_path) -> None:
    import matplotlib.pyplot as plt

    from examples.common import DARK_GROUND, FIGURE_WIDTH, draw_in_languages

    grounds = {}

    def draw(*, language: str, path):
        figure, axes = plt.subplots(figsize=(FIGURE_WIDTH, 2))
        axes.plot([0, 1])
        grounds[path.name] = plt.rcParams["figure.facecolor"]
        return save_figure(figure, path)

    drawn = draw_in_languages(draw, tmp_path / "photo.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "photo.en.dark.png", "photo.en.png", "photo.zh.dark.png", "photo.zh.png"
    ]  # fmt: skip
    assert {lang: p.name for lang, p in drawn.items()} == {
        "en": "photo.en.png",
        "zh": "photo.zh.png",
    }
    assert grounds["photo.en.dark.png"] == DARK_GROUND and grounds["photo.en.png"] != DARK_GROUND
    draw_in_languages(draw, tmp_path / "plot.svg")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("plot.") and "dark" in p.name]
