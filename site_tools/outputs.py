"""Compare what a fence printed with the output its page shows: exactly, or within a tolerance.

A page shows two kinds of output:

* *exact*: the same on every machine (shapes, counts, dtypes, integers, values printed at a
  precision that the order of a sum cannot change). The printed text must equal the page's.
* *measured*: numbers that depend on the processor, the thread count or the device (training
  logs, products through many layers). The code fence carries the mark
  ``<!--pytest.mark.measured(rel=..., abs=..., lines={...})-->``. The text around the numbers
  must still be equal (runs of spaces count as one, for aligned columns); each number may differ from the page's by at most ``abs + rel * |page|``.

``lines`` maps a regular expression, searched in the page's output line, to the rule for the
numbers of the lines it matches (the first match wins; the mark's own ``rel``/``abs`` are the
default). A rule may set ``rel`` and ``abs``, or bounds ``ge``/``le`` that a number must keep
instead of staying near the page's value (an accuracy that must stay at or above 90). A list of
rules gives each number of the line its own, in order (a loss, then an accuracy). Whole
numbers (no decimal point or exponent: epochs, counts, shapes) are exact and take no rule
unless the rule says ``counts=True``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
RULE_KEYS = {"rel", "abs", "ge", "le", "counts"}


class ToleranceError(ValueError):
    """A measured mark that cannot be read; the caller adds the page and line."""


@dataclass(frozen=True)
class Rule:
    rel: float = 0.0
    abs: float = 0.0
    ge: float | None = None
    le: float | None = None
    counts: bool = False  # whole numbers may vary too

    def allowed(self, expected: float) -> float:
        return self.abs + self.rel * abs(expected)

    def describe(self) -> str:
        parts = [f"rel={self.rel:g}"] if self.rel else []
        parts += [f"abs={self.abs:g}"] if self.abs else []
        parts += [f"≥ {self.ge:g}"] if self.ge is not None else []
        parts += [f"≤ {self.le:g}"] if self.le is not None else []
        return ", ".join(parts) or "exact"


def _rule(values: dict, where: str) -> Rule:
    unknown = set(values) - RULE_KEYS
    if unknown:
        raise ToleranceError(f"{where}: unknown {sorted(unknown)}; use {sorted(RULE_KEYS)}")
    try:
        return Rule(**{key: value for key, value in values.items()})
    except TypeError as error:
        raise ToleranceError(f"{where}: {error}") from None


@dataclass(frozen=True)
class Tolerance:
    """How far the numbers of one measured output may move."""

    default: Rule
    lines: tuple[tuple[re.Pattern, tuple[Rule, ...]], ...] = field(default_factory=tuple)

    @classmethod
    def from_mark(cls, kwargs: dict) -> Tolerance:
        kwargs = dict(kwargs)
        lines = kwargs.pop("lines", {}) or {}
        if not isinstance(lines, dict):
            raise ToleranceError("lines= must be a dict of {regex: {rule}}")
        default = _rule(kwargs, "measured(...)")
        compiled = []
        for pattern, values in lines.items():
            where = f"lines[{pattern!r}]"
            listed = values if isinstance(values, list) else [values]
            if not listed or not all(isinstance(value, dict) for value in listed):
                raise ToleranceError(f"{where} must be a rule such as dict(rel=0.1), or a list")
            try:
                compiled.append((re.compile(pattern), tuple(_rule(v, where) for v in listed)))
            except re.error as error:
                raise ToleranceError(f"{where}: {error}") from None
        rules = [default, *(rule for _, listed in compiled for rule in listed)]
        if not any(r.rel or r.abs or r.ge is not None or r.le is not None for r in rules):
            raise ToleranceError("measured(...) allows no difference: the output is exact")
        return cls(default, tuple(compiled))

    def rules(self, line: str) -> tuple[Rule, ...]:
        """The rules of a page's output line: one for all its numbers, or one per number."""
        return next((rules for pattern, rules in self.lines if pattern.search(line)),
                    (self.default,))  # fmt: skip

    def rule(self, line: str, position: int = 0) -> Rule:
        """The rule of the line's number at ``position`` among those a rule applies to."""
        rules = self.rules(line)
        return rules[position] if len(rules) > 1 else rules[0]


@dataclass
class Comparison:
    """The verdict on one output: whether it holds, and how much of its tolerance it used."""

    ok: bool
    worst: float = 0.0  # the largest |printed - page| / allowed over its numbers (1 = the limit)
    worst_at: str = ""  # the page's line where that happened
    problem: str = ""  # for a failure: what differs, line by line


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip()


def _split(line: str) -> tuple[list[str], list[str]]:
    """A line as its text between numbers (runs of spaces as one: a number printed with one
    more digit shifts a right-aligned column), and its numbers."""
    return [re.sub(r"\s+", " ", text) for text in NUMBER.split(line)], NUMBER.findall(line)


def _is_count(token: str) -> bool:
    return not re.search(r"[.eE]", token)


def compare(expected: str, printed: str, tolerance: Tolerance | None = None) -> Comparison:
    """Does ``printed`` match the page's ``expected`` output, exactly or within ``tolerance``?"""
    want, got = normalise(expected), normalise(printed)
    if want == got:
        return Comparison(ok=True)
    if tolerance is None:
        return Comparison(ok=False, problem=_first_difference(want, got))
    want_lines, got_lines = want.splitlines(), got.splitlines()
    if len(want_lines) != len(got_lines):
        return Comparison(False, problem=f"{len(got_lines)} lines printed, {len(want_lines)} shown")
    worst, worst_at, problems = 0.0, "", []
    for number, (page_line, run_line) in enumerate(zip(want_lines, got_lines, strict=True), 1):
        (page_text, page_numbers), (run_text, run_numbers) = _split(page_line), _split(run_line)
        if page_text != run_text:
            problems.append(f"line {number}: the text around the numbers differs")
            continue
        rules = tolerance.rules(page_line)
        position = 0  # among the numbers that take a rule
        for shown, ran in zip(page_numbers, run_numbers, strict=True):
            rule = rules[min(position, len(rules) - 1)]
            if _is_count(shown) and not rule.counts:
                if shown != ran:
                    problems.append(f"line {number}: {ran} where the page shows {shown} (exact)")
                continue
            position += 1
            if shown == ran:
                continue
            value, target = float(ran), float(shown)
            if rule.ge is not None or rule.le is not None:
                low = rule.ge if rule.ge is not None else -math.inf
                high = rule.le if rule.le is not None else math.inf
                if not low <= value <= high:
                    problems.append(f"line {number}: {ran} is outside {rule.describe()}")
                continue
            allowed = rule.allowed(target)
            used = abs(value - target) / allowed if allowed else math.inf
            if used > worst:
                worst, worst_at = used, f"line {number}: {ran} for {shown}"
            if used > 1:
                problems.append(
                    f"line {number}: {ran} where the page shows {shown}, "
                    f"more than {rule.describe()} (±{allowed:.3g}) apart"
                )
    return Comparison(not problems, worst, worst_at, "\n".join(problems))


def _first_difference(want: str, got: str) -> str:
    want_lines, got_lines = want.splitlines(), got.splitlines()
    for number, (shown, ran) in enumerate(zip(want_lines, got_lines, strict=False), 1):
        if shown != ran:
            return f"line {number} of the output differs (exact):\n  printed  {ran}\n  page     {shown}"
    return f"{len(got_lines)} lines printed, {len(want_lines)} shown (exact)"


def exact_numbers(expected: str, tolerance: Tolerance | None) -> list[str]:
    """The numbers of an output that every machine prints the same (the prose may quote these)."""
    if tolerance is None:
        return NUMBER.findall(expected)
    found = []
    for line in normalise(expected).splitlines():
        counts = any(rule.counts for rule in tolerance.rules(line))
        found += [token for token in NUMBER.findall(line) if _is_count(token) and not counts]
    return found
