"""YAML files the analysts write (municipality.yml, data/curated/goals/*.yml, reports/notebooks.yml),
read without surprises.

- Anchors and aliases (``&a`` / ``*a``, also ``<<: *a``) are refused: none of these files needs
  them, and a few nested aliases ("billion laughs") expand a 2 KB file into gigabytes.
  Where a file's own authors use them to repeat a quote (data/curated/corrections.yml),
  `aliases=True` lets them through as long as the expanded document stays under `MAX_NODES`.
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
MAX_NODES = 200_000    # nodes of a document with its aliases expanded (corrections.yml: 647)


def expanded_nodes(node, limit: int = MAX_NODES) -> int:
    """How many nodes the document holds with every alias expanded (stops counting past `limit`)."""
    memo: dict[int, int] = {}

    def count(n) -> int:
        if id(n) in memo:
            return memo[id(n)]
        memo[id(n)] = 1  # a recursive alias counts once
        if isinstance(n, yaml.MappingNode):
            total = 1 + sum(count(k) + count(v) for k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            total = 1 + sum(count(v) for v in n.value)
        else:
            total = 1
        memo[id(n)] = min(total, limit + 1)
        return memo[id(n)]

    return count(node) if node is not None else 0


def check_text(text: str, shown: str, size: int | None = None, allow: bool = False) -> list[Problem]:
    """Problems that stop a YAML text from being loaded: size, syntax, anchors and aliases (with
    `allow`: aliases that expand it beyond `MAX_NODES`)."""
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
    if allow:
        nodes = expanded_nodes(yaml.compose(text, Loader=yaml.SafeLoader))
        if nodes <= MAX_NODES:
            return []
        e = aliases[0] if aliases else anchors[0]
        return [Problem(shown, f"YAML aliases expand the file to more than {MAX_NODES:,} values", e.start_mark.line + 1,
                        None, f"at most {MAX_NODES:,} values with every alias written out", f"*{e.anchor}")]
    first = sorted(anchors + aliases, key=lambda e: (e.start_mark.line, e.start_mark.column))
    where = ", ".join(f"{'*' if isinstance(e, yaml.AliasEvent) else '&'}{e.anchor} at line {e.start_mark.line + 1}"
                      for e in first[:3]) + (f" and {len(first) - 3} more" if len(first) > 3 else "")
    e = first[0]
    name = Path(shown).name
    return [Problem(shown, f"YAML anchors and aliases ({where}) are not allowed in {name}", e.start_mark.line + 1,
                    None, "plain values (write each value out)",
                    ("*" if isinstance(e, yaml.AliasEvent) else "&") + str(e.anchor))]


_CLoader = getattr(yaml, "CSafeLoader", None)  # libyaml: the same safe constructor, parsed in C


def _load_fast(text: str):
    """(data, node) parsed once by libyaml's safe loader, or None when the text holds an anchor, an
    alias or an error (or libyaml is missing): then the pure-Python path below checks it and
    words the message as before. Tags other than the standard ones fail in the safe constructor."""
    if _CLoader is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None  # characters the pure-Python reader refuses: let it say so
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return None
        loader = _CLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return None
    return data, node


def load_text(text: str, shown: str, size: int | None = None, aliases: bool = False):
    """(data, composed root node) of a YAML text; raise InputError naming the file and line."""
    size = len(text.encode("utf-8")) if size is None else size
    if size <= MAX_BYTES:
        fast = _load_fast(text)
        if fast is not None:
            return fast
    problems = check_text(text, shown, size, allow=aliases)
    if problems:
        raise InputError(problems)
    return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)


def read(path: Path | str, shown: str | None = None, aliases: bool = False) -> tuple[str, object, object]:
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
    data, node = load_text(text, shown, size, aliases=aliases)
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
