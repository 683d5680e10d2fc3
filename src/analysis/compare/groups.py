"""Groups of municipalities in a selection: `land:Niedersachsen`, `admin_type:Landkreis`, `group:NAME`.

A selection is a list of tokens; a token is a municipality id or a group selector:

    land:Niedersachsen        every municipality whose `region` is Niedersachsen (alias region:)
    admin_type:Landkreis      every municipality of that administrative type
    country:DK                every municipality of that country (ISO 3166 alpha-2)
    group:my-comparison       a named list in reports/groups.yml (its members are tokens too)

    expand(["peine", "land:Schleswig-Holstein"], municipalities)   # ['peine', 'kiel', 'segeberg']

Values match case-insensitively; members come in registry order, each once. An unknown kind,
Land, type, country or group raises `GroupError` naming it and listing the valid ones. Plain ids
are passed through unchecked (the caller checks them against the registry).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

GROUPS_FILE = Path("reports") / "groups.yml"
COLUMNS = {"land": "region", "region": "region", "admin_type": "admin_type", "country": "country"}
WORDS = {"region": "Land or region", "admin_type": "administrative type", "country": "country"}


class GroupError(ValueError):
    """An unknown group selector; the message names it and lists the valid choices."""


def is_selector(token: str) -> bool:
    """True for 'land:Niedersachsen', 'group:x', ...; False for a municipality id."""
    return ":" in str(token)


def load(root: str | Path | None) -> dict[str, list[str]]:
    """The named groups of `<root>/reports/groups.yml` ({} without the file).

    The file maps a group name to a list of tokens, or to a mapping with `members:` (and an
    optional `title:`). A malformed file raises GroupError naming the file and the group."""
    if root is None:
        return {}
    path = Path(root) / GROUPS_FILE
    if not path.exists():
        return {}
    import yaml
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise GroupError(f"{path}: not valid YAML ({exc})") from None
    doc = doc.get("groups", doc) if isinstance(doc, dict) else doc
    if not isinstance(doc, dict):
        raise GroupError(f"{path}: expected a mapping of group names to lists of municipality ids")
    out = {}
    for name, value in doc.items():
        members = value.get("members") if isinstance(value, dict) else value
        if isinstance(members, str):
            members = [m.strip() for m in members.split(",")]
        if not isinstance(members, list) or not members:
            raise GroupError(f"{path}, group {name!r}: expected a list of municipality ids or selectors "
                             f"(e.g. [peine, 'land:Schleswig-Holstein']), found {members!r}")
        out[str(name)] = [str(m).strip() for m in members if str(m).strip()]
    return out


def expand(tokens, municipalities: pd.DataFrame, groups: dict[str, list[str]] | None = None,
           name: str = "municipalities") -> list[str]:
    """`tokens` with every selector replaced by its members (registry order), duplicates dropped."""
    out: list[str] = []
    for token in tokens:
        out.extend(_members(str(token).strip(), municipalities, groups or {}, name, ()))
    return list(dict.fromkeys(out))


def _members(token: str, munis: pd.DataFrame, groups: dict, name: str, seen: tuple) -> list[str]:
    if not is_selector(token):
        return [token]
    kind, _, value = token.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if kind == "group":
        if value not in groups:
            known = ", ".join(sorted(groups)) if groups else f"none ({GROUPS_FILE} defines no groups)"
            raise GroupError(f"unknown group in {name}: {token!r}. Groups in {GROUPS_FILE}: {known}")
        if value in seen:
            raise GroupError(f"group {value!r} in {GROUPS_FILE} contains itself (via {' -> '.join(seen)})")
        return [m for t in groups[value] for m in _members(t, munis, groups, name, seen + (value,))]
    column = COLUMNS.get(kind)
    if column is None:
        raise GroupError(f"unknown selector in {name}: {token!r}. Valid selectors: "
                         f"{', '.join(f'{k}:<value>' for k in COLUMNS)}, group:<name in {GROUPS_FILE}>")
    values = munis[column].astype(str)
    hit = values.str.casefold() == value.casefold()
    if not hit.any():
        valid = ", ".join(sorted(set(values)))
        raise GroupError(f"unknown {WORDS[column]} in {name}: {token!r}. Valid values of {kind}: {valid}")
    return list(munis.loc[hit, "municipality_id"].astype(str))
