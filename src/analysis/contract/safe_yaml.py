"""YAML files the analysts write (municipality.yml, data/curated/goals/*.yml, reports/notebooks.yml),
read without surprises.

- Anchors and aliases (``&a`` / ``*a``, also ``<<: *a``) are refused: none of these files needs
  them, and a few nested aliases ("billion laughs") expand a 2 KB file into gigabytes.
- A file larger than `MAX_BYTES` is refused before it is parsed.
- Syntax errors name the line.

    data, node = load(path, shown)      the parsed data and its composed node (for line numbers)
    scalar_text(node, key)              a top-level value as written ('NO', '03157'), not as YAML types it
"""
from __future__ import annotations

from pathlib import Path

import yaml

from analysis.contract.errors import InputError, Problem

MAX_BYTES = 1_000_000  # the largest curated goals file is 20 KB


def check_text(text: str, shown: str, size: int | None = None) -> list[Problem]:
    """Problems that stop a YAML text from being loaded: size, syntax, anchors and aliases."""
    size = len(text.encode("utf-8")) if size is None else size
    if size > MAX_BYTES:
        return [Problem(shown, f"the file is too large for a YAML file of this workspace ({size:,} bytes)", None, None,
                        f"at most {MAX_BYTES:,} bytes", f"{size:,} bytes")]
    anchors, aliases = [], []
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                aliases.append(event)
            elif getattr(event, "anchor", None):
                anchors.append(event)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [Problem(shown, "not valid YAML: " + " ".join(str(exc).split()), None if mark is None else mark.line + 1)]
    if not anchors and not aliases:
        return []
    first = sorted(anchors + aliases, key=lambda e: (e.start_mark.line, e.start_mark.column))
    where = ", ".join(f"{'*' if isinstance(e, yaml.AliasEvent) else '&'}{e.anchor} at line {e.start_mark.line + 1}"
                      for e in first[:3]) + (f" and {len(first) - 3} more" if len(first) > 3 else "")
    e = first[0]
    name = Path(shown).name
    return [Problem(shown, f"YAML anchors and aliases ({where}) are not allowed in {name}", e.start_mark.line + 1,
                    None, "plain values (write each value out)",
                    ("*" if isinstance(e, yaml.AliasEvent) else "&") + str(e.anchor))]


def load_text(text: str, shown: str, size: int | None = None):
    """(data, composed root node) of a YAML text; raise InputError naming the file and line."""
    problems = check_text(text, shown, size)
    if problems:
        raise InputError(problems)
    return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)


def read(path: Path | str, shown: str | None = None) -> tuple[str, object, object]:
    """(text, data, node) of a YAML file; raise InputError (size checked before reading)."""
    path = Path(path)
    shown = shown or str(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(check_text("", shown, size))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError("cannot be read as UTF-8", path=shown, line=line, expected="a UTF-8 text file",
                         found=f"byte 0x{path.read_bytes()[exc.start]:02x}") from None
    data, node = load_text(text, shown, size)
    return text, data, node


def scalar_text(node, key: str):
    """The text of a top-level scalar as written in the file ('NO' for ``country: NO``, '03157' for
    ``official_code: 03157``), or None for an empty value; the parsed value for non-scalars."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if getattr(k, "value", None) == key and isinstance(v, yaml.ScalarNode):
            if v.tag == "tag:yaml.org,2002:null":
                return None
            return v.value
    return None
