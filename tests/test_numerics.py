"""The numerics matrix: every page holds under every CPU setting (site_tools/numerics.py).

Each setting reruns the code of every chapter once, in one fresh process, with ATen's vector
kernels from none to the widest this processor has and 1, 2 or 4 threads; exact outputs must
be equal and measured ones within their tolerance. `nox -s numerics` prints the whole table.
"""

from __future__ import annotations

import pytest

from site_tools import numerics

SETTINGS = [
    numerics.Setting(kind, threads)
    for kind in numerics.capabilities()
    for threads in numerics.THREADS
]


@pytest.fixture(scope="module")
def pages():
    return numerics.chapter_code()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda setting: setting.name)
def test_every_page_holds(pages, setting) -> None:
    outcome = numerics.run(setting, pages)
    assert outcome["machine"]["threads"] == setting.threads
    assert outcome["machine"]["capability"].lower() == setting.capability
    by_label = {entry["label"]: entry for entry in outcome["notebooks"]}
    verdicts = {page.example: numerics.judge(page, by_label[page.example]) for page in pages}
    report = numerics.table({setting.name: {"machine": outcome["machine"], "pages": verdicts}})
    problems = [failure for verdict in verdicts.values() for failure in verdict.failures]
    assert not problems, f"{setting.name}:\n{report}\n\n" + "\n\n".join(problems)
    assert sum(v.exact + v.measured for v in verdicts.values()) > 100  # every output was read


def test_the_ladder_starts_without_vector_kernels() -> None:
    kinds = numerics.capabilities()
    assert kinds[0] == "default" and kinds[-1] == numerics.native_capability()
