"""Every parameter of every layer with a table is explained, in both languages."""

from __future__ import annotations

import re

import pytest
from torch import nn

from site_tools.fences import pages
from site_tools.layer_params import COMMON, MEANINGS, parameters, table, unexplained


@pytest.mark.parametrize("cls", list(MEANINGS), ids=lambda cls: cls.__name__)
def test_torch_has_no_parameter_we_do_not_explain(cls) -> None:
    assert unexplained(cls) == [], (
        f"explain these {cls.__name__} parameters in site_tools/layer_params.py"
    )


@pytest.mark.parametrize("cls", list(MEANINGS), ids=lambda cls: cls.__name__)
def test_every_meaning_is_in_both_languages(cls) -> None:
    for name, (english, chinese) in {**COMMON, **MEANINGS[cls]}.items():
        assert english and chinese and re.search(r"[\u4e00-\u9fff]", chinese), name


def test_tables_asked_for_by_pages_exist() -> None:
    asked = {
        name
        for page in pages()
        for name in re.findall(r"<!-- parameters: (\w+) -->", page.read_text())
    }
    assert asked <= {cls.__name__ for cls in MEANINGS}
    assert {"Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "Linear"} <= asked


def test_table_shows_torch_defaults() -> None:
    rows = table("Conv2d", "en")
    assert "| `stride` | `1` |" in rows and "| `padding_mode` | `'zeros'` |" in rows
    assert "| `in_channels` | (required) |" in rows
    assert list(parameters(nn.Linear)) == ["in_features", "out_features", "bias", "device", "dtype"]


def test_a_new_torch_parameter_would_fail(monkeypatch) -> None:
    class Future(nn.Linear):
        def __init__(
            self, in_features, out_features, bias=True, device=None, dtype=None, sparsity=0.0
        ):
            super().__init__(in_features, out_features, bias, device, dtype)

    monkeypatch.setitem(MEANINGS, Future, MEANINGS[nn.Linear])
    assert unexplained(Future) == ["sparsity"]
