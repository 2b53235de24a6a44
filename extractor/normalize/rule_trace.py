"""The rule trace: which rule of a normalizer consumed which span of one cell's text.

A normalizer given a `RuleTrace` (`normalize_schedule(..., trace=)`, `parse_parties(..., trace=)`)
records the text its rules read and one `Step` per rule that took part of it, in the order the
rules ran. Without a trace nothing is recorded and nothing is computed for one: the rules test
`trace is not None` once per pass, never per character. `roadmap debug` draws the traces.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Step:
    """One rule's work: the span [start, end) of `RuleTrace.text` it consumed, and what it made of it."""

    rule: str  # the pass or rule as its declaration names it ("deadline", "person", …)
    start: int
    end: int
    value: str = ""  # what the rule read there, for a person ("deadline … – 2023-12-01", "person: Иванова И.И.")


@dataclass
class RuleTrace:
    """What one normalizer did with one cell."""

    text: str = ""  # the text the steps' spans index: the cell as the rules read it
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what concerns the whole cell (a rewrite, the reader, the result)

    def add(self, rule: str, start: int, end: int, value: str = "") -> None:
        self.steps.append(Step(rule, start, end, value))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def words(self, step: Step) -> str:
        """The text a step consumed."""
        return self.text[step.start:step.end]

    def absorb(self, other: RuleTrace, offset: int) -> None:
        """The steps and notes of a trace of a part of this text, which starts at `offset`."""
        self.steps += [Step(s.rule, s.start + offset, s.end + offset, s.value) for s in other.steps]
        self.notes += other.notes

    def rules(self) -> list[tuple[str, str]]:
        """(rule, the words it consumed) of every step, in order: what the tests compare."""
        return [(s.rule, self.words(s)) for s in self.steps]


__all__ = ["RuleTrace", "Step"]
