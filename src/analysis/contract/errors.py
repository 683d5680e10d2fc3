"""Errors that name where bad input is: file, line (or row), column and what was expected."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Problem:
    """One problem in an input file. `line` is a 1-based line or row number."""

    path: str
    message: str
    line: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.column:
            parts.append(f"column '{self.column}'")
        text = ", ".join(parts) + ": " + self.message
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.found == "":
            text += ", found an empty cell" if self.column else ", found nothing"
        elif self.found is not None:
            text += f", found {self.found!r}"
        return text


class InputError(ValueError):
    """Raised for input that does not parse or break the contract.

    Carries one or more `Problem`s; the message lists all of them.
    """

    def __init__(self, problems: Problem | list[Problem] | str, *, path: str | Path | None = None,
                 line: int | None = None, column: str | None = None,
                 expected: str | None = None, found: str | None = None):
        if isinstance(problems, str):
            problems = Problem(str(path or "<input>"), problems, line, column, expected, found)
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._format())

    def _format(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


@dataclass
class ProblemList:
    """Collects problems so that all of them are reported at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, path, message, line=None, column=None, expected=None, found=None) -> None:
        self.problems.append(Problem(str(path), message, line, column, expected, found))

    def extend(self, other: "ProblemList | list[Problem]") -> None:
        self.problems.extend(other.problems if isinstance(other, ProblemList) else other)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)
