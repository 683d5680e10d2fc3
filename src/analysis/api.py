"""The analyst API for notebooks.

    import analysis
    ws = analysis.load()                       # data/processed (extracted first when missing or stale)
    ws.budget                                  # contract tables as DataFrames
    ws.select("budget", municipalities="peine", years=2024, phases="forecast")
    ws.comparable_budget(["peine", "aalborg"], base_year=2024, price_basis="real", per="inhabitant")
    ws.coverage()                              # which municipality has which figures for which years
    ws.resolve(["peine", "land:Schleswig-Holstein"])   # groups as ids (analysis.compare.groups)

Unknown municipalities, years or phases raise ValueError listing the valid choices.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from analysis.compare import groups, harmonise
from analysis.contract import file_state, paths, schema
from analysis.reference import tables as reference

TABLES = ["municipalities", "documents", "budget", "indicators", "goals", "quality", "budget_changes"]
YEAR_COLUMN = {"budget": "fiscal_year", "indicators": "fiscal_year", "budget_changes": "fiscal_year",
               "goals": "target_year"}
PHASE_COLUMN = {"budget": "phase", "indicators": "phase", "goals": "result_phase"}
COVERAGE_TABLES = ["budget", "indicators", "goals"]
NO_FIGURES = "no figures in source"
NO_EXTRACT_ENV = "ANALYSIS_NO_EXTRACT"  # set by `analysis build` for its notebooks: refresh='auto' never extracts
STANDING_ENV = "ANALYSIS_STANDING_DIR"  # set by `analysis build`: where the shared standing tables are cached


def _as_list(value) -> list | None:
    if value is None:
        return None
    if isinstance(value, (str, int)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _unknown(what: str, bad: list, valid: list) -> ValueError:
    shown = ", ".join(repr(b) if isinstance(b, str) else str(b) for b in bad)
    plural = {"municipality": "municipalities"}
    noun = what if len(bad) == 1 else plural.get(what, what + "s")
    return ValueError(f"unknown {noun} {shown}; valid: {', '.join(str(v) for v in valid)}")


class Workspace:
    """The contract tables plus reference data, with selection and comparison helpers."""

    def __init__(self, tables: dict[str, pd.DataFrame], ref: reference.Reference | None = None,
                 root: Path | None = None, unassigned: pd.DataFrame | None = None, conformed: bool = False):
        self.root = root
        self.reference = ref
        self.unassigned = unassigned if unassigned is not None else pd.DataFrame()
        self.tables: dict[str, pd.DataFrame] = {}
        for name in TABLES:
            df = tables.get(name)
            if df is None:
                df = schema.empty(name)
            elif conformed:  # tables of an earlier Workspace (load's cache): its own frames, no copy of the data
                df = df.copy(deep=False)
            else:
                df = schema.conform(df, name)
            self.tables[name] = df

    # the contract tables as attributes
    municipalities = property(lambda self: self.tables["municipalities"])
    documents = property(lambda self: self.tables["documents"])
    budget = property(lambda self: self.tables["budget"])
    indicators = property(lambda self: self.tables["indicators"])
    goals = property(lambda self: self.tables["goals"])
    quality = property(lambda self: self.tables["quality"])
    budget_changes = property(lambda self: self.tables["budget_changes"])

    def __repr__(self) -> str:
        rows = ", ".join(f"{n}={len(df)}" for n, df in self.tables.items())
        return f"Workspace({rows})"

    @property
    def municipality_ids(self) -> list[str]:
        ids = set(self.municipalities["municipality_id"])
        if not ids:
            for df in self.tables.values():
                if "municipality_id" in df.columns:
                    ids |= set(df["municipality_id"].dropna())
        return sorted(ids)

    @property
    def countries(self) -> dict[str, str]:
        """municipality_id -> country (ISO alpha-2)."""
        m = self.municipalities
        return dict(zip(m["municipality_id"], m["country"]))

    def resolve(self, selection, name: str = "municipalities") -> list[str]:
        """Municipality ids and groups ('land:Niedersachsen', 'admin_type:Landkreis', 'country:DK',
        'group:NAME' of reports/groups.yml) as ids: `analysis.compare.groups`. An unknown group
        raises `groups.GroupError` (a ValueError) listing the valid ones; ids pass unchecked."""
        return groups.expand(_as_list(selection) or [], self.municipalities, groups.load(self.root), name)

    def select(self, table: str, municipalities=None, years=None, phases=None) -> pd.DataFrame:
        """Rows of `table` for the given municipalities, years and phases (each a value or a list).

        Raises ValueError listing the valid choices for an unknown table, municipality, phase,
        or a year that the table has no rows for (for the selected municipalities).
        """
        if table not in self.tables:
            raise _unknown("table", [table], TABLES)
        df = self.tables[table]
        wanted = _as_list(municipalities)
        if wanted is not None:
            wanted = self.resolve(wanted)
            valid = self.municipality_ids
            bad = [m for m in wanted if m not in valid]
            if bad:
                raise _unknown("municipality", bad, valid)
            df = df[df["municipality_id"].isin(wanted)]
        wanted = _as_list(years)
        if wanted is not None:
            col = YEAR_COLUMN.get(table)
            if col is None or col not in df.columns:
                raise ValueError(f"table {table!r} has no year column; years work for "
                                 + ", ".join(YEAR_COLUMN))
            try:
                wanted = [int(y) for y in wanted]
            except (TypeError, ValueError):
                raise ValueError(f"years must be whole numbers like 2024, got {years!r}") from None
            present = sorted(int(y) for y in pd.to_numeric(df[col], errors="coerce").dropna().unique())
            bad = [y for y in wanted if y not in present]
            if bad:
                raise _unknown("year", bad, present or ["(none: no rows with a year)"])
            df = df[pd.to_numeric(df[col], errors="coerce").isin(wanted)]
        wanted = _as_list(phases)
        if wanted is not None:
            col = PHASE_COLUMN.get(table)
            if col is None:
                raise ValueError(f"table {table!r} has no phase column; phases work for "
                                 + ", ".join(PHASE_COLUMN))
            bad = [p for p in wanted if p not in schema.PHASES]
            if bad:
                raise _unknown("phase", bad, schema.PHASES)
            df = df[df[col].isin(wanted)]
        return df.reset_index(drop=True)

    def comparable_budget(self, municipalities=None, base_year: int | None = None, price_basis: str = "nominal",
                          per: str = "total", years=None, phases=None, missing: str = "raise") -> pd.DataFrame:
        """Budget rows with `value` in EUR (nominal or at base_year prices, total or per inhabitant).

        See `analysis.harmonise.comparable`; `unit` says what `value` is. missing='leave_out' leaves
        out the rows whose population, exchange rate or price index is missing (the notebooks do:
        one municipality without a population figure never breaks a page) and lists them in
        ``attrs["left_out"]``.
        """
        if self.reference is None:
            raise ValueError("this workspace has no reference data (load it with analysis.load())")
        df = self.select("budget", municipalities, years, phases)
        return harmonise.comparable(df, self.reference, base_year=base_year, price_basis=price_basis,
                                    per=per, countries=self.countries, missing=missing)

    def standing(self, base_year: int | None, fiscal_year=None, phase=None):
        """The profiles' shared comparison of all municipalities (`analysis.compare.standing`), at
        constant prices of `base_year` per inhabitant: read from the build's cache
        ($ANALYSIS_STANDING_DIR, keyed by `standing_key`) when it is there, else computed (once per
        workspace object)."""
        from analysis.compare import standing as standing_mod
        memo = self.__dict__.setdefault("_standing", {})
        args = (base_year, fiscal_year, phase)
        if args in memo:
            return memo[args]
        cached = None
        if os.environ.get(STANDING_ENV) and self.root is not None:
            folder = Path(os.environ[STANDING_ENV]) / standing_key(self.root, *args)
            cached = read_standing(folder) if (folder / "facts.pkl").exists() else None
        if cached is None:
            with_budget = sorted(set(self.budget["municipality_id"]))
            cb_all = self.comparable_budget(with_budget, base_year=base_year, price_basis="real", per="inhabitant",
                                            missing="leave_out")
            names = dict(zip(self.municipalities["municipality_id"], self.municipalities["name"]))
            cached = standing_mod.compute(cb_all, self.goals, self.indicators, self.municipality_ids, names,
                                          self.reference.cofog, self.reference.coverage, fiscal_year, phase)
        memo[args] = cached
        return cached

    def coverage(self, long: bool = False) -> pd.DataFrame:
        """Which years each municipality has figures for, per table (budget, indicators, goals).

        Budget and indicators: fiscal years; goals: target years (goals without one are counted).

        Wide (default): one row per municipality, one column per table, cells like '2022, 2023, 2024'
        or 'no figures in source'. long=True: municipality_id, table, year, rows.
        """
        records = []
        for name in COVERAGE_TABLES:
            df = self.tables[name]
            col = YEAR_COLUMN[name]
            for mid in self.municipality_ids:
                part = df[df["municipality_id"] == mid]
                if part.empty:
                    continue
                years = pd.to_numeric(part[col], errors="coerce") if col in part.columns else pd.Series(dtype=float)
                for y, n in part.groupby(years.fillna(-1).astype(int)).size().items():
                    records.append({"municipality_id": mid, "table": name,
                                    "year": None if y == -1 else int(y), "rows": int(n)})
        long_df = pd.DataFrame(records, columns=["municipality_id", "table", "year", "rows"])
        long_df["year"] = long_df["year"].astype("Int64")
        if long:
            return long_df
        wide = pd.DataFrame(NO_FIGURES, index=pd.Index(self.municipality_ids, name="municipality_id"),
                            columns=COVERAGE_TABLES)
        for (mid, name), part in long_df.groupby(["municipality_id", "table"]):
            years = [str(y) for y in sorted(part["year"].dropna())]
            undated = int(part.loc[part["year"].isna(), "rows"].sum())
            text = ", ".join(years)
            if undated:
                text += ("; " if text else "") + f"{undated} row{'s' if undated != 1 else ''} without a year"
            wide.loc[mid, name] = text
        return wide


def standing_key(root: Path, base_year, fiscal_year=None, phase=None) -> str:
    """What the shared standing tables are computed from: the processed data (its extract
    fingerprint), data/reference/, the code, the base year, fiscal year and phase."""
    import json

    from analysis.contract import fingerprint
    meta = paths.processed_dir(root) / "metadata.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        data = None
    return fingerprint.of(data, fingerprint.folder(paths.reference_dir(root)), fingerprint.code_version(),
                          base_year, fiscal_year, phase)[:24]


def write_standing(st, folder: Path) -> dict[str, str]:
    """Write a `compare.standing.Standing` with every municipality's by_category into `folder`
    (pickles: the dtypes and attrs of the tables stay as computed); return per municipality a
    digest of what its profile reads from it (its by_category and the budget rows behind it)."""
    import pickle

    from analysis.contract import fingerprint
    folder = Path(folder)
    (folder / "budget").mkdir(parents=True, exist_ok=True)
    row_digest = {}
    for mid, part in st.budget_parts.items():
        part.to_pickle(folder / "budget" / f"{mid}.pkl")
        row_digest[mid] = _frame_digest(part)
    ids = list(st.facts["municipality_id"]) if "municipality_id" in st.facts.columns else []
    by_cat = {m: st.by_category(m) for m in ids}
    (folder / "by_category").mkdir(exist_ok=True)
    for m, table in by_cat.items():
        table.to_pickle(folder / "by_category" / f"{m}.pkl")
    st.composition.to_pickle(folder / "composition.pkl")
    with open(folder / "meta.pkl", "wb") as fh:
        pickle.dump({"attrs": st.budget_attrs, "names": st.names, "coverage": st.coverage}, fh)
    shared = fingerprint.of(_frame_digest(st.facts), st.budget_attrs)
    deps = {m: fingerprint.of(shared, _frame_digest(t),
                              sorted((x, row_digest.get(x)) for x in set(t.get("municipality_id", []))))
            for m, t in by_cat.items()}
    st.facts.to_pickle(folder / "facts.pkl")  # last: its presence says the folder is complete
    return deps


def read_standing(folder: Path):
    import pickle

    from analysis.compare import standing as standing_mod
    folder = Path(folder)
    with open(folder / "meta.pkl", "rb") as fh:
        meta = pickle.load(fh)

    def load_part(mid):
        f = folder / "budget" / f"{mid}.pkl"
        return pd.read_pickle(f) if f.exists() else None

    class Categories(dict):  # by_category of one municipality, read when asked for
        def __missing__(self, mid):
            f = folder / "by_category" / f"{mid}.pkl"
            if not f.exists():
                raise KeyError(mid)
            self[mid] = pd.read_pickle(f)
            return self[mid]

        def __contains__(self, mid):
            return dict.__contains__(self, mid) or (folder / "by_category" / f"{mid}.pkl").exists()

    return standing_mod.Standing(facts=pd.read_pickle(folder / "facts.pkl"),
                                 composition=pd.read_pickle(folder / "composition.pkl"),
                                 coverage=meta["coverage"], names=meta["names"], budget_attrs=meta["attrs"],
                                 load_part=load_part, categories=Categories())


def _frame_digest(df: pd.DataFrame) -> str:
    """A digest of a table's columns, dtypes and values (row order counts)."""
    import hashlib
    h = hashlib.sha256(repr([(c, str(t)) for c, t in df.dtypes.items()]).encode())
    try:
        h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    except (TypeError, ValueError):  # unhashable cells (lists): their text
        h.update(df.to_csv(index=False).encode())
    return h.hexdigest()


def read_processed(folder: Path) -> dict[str, pd.DataFrame]:
    """The contract tables in `folder` (Parquet, else CSV); a missing table is an error."""
    tables = {}
    for name in TABLES:
        pq, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
        if pq.exists():
            df = pd.read_parquet(pq)
        elif csv.exists():
            df = pd.read_csv(csv, dtype=str, keep_default_na=False).replace({"": None})
        else:
            from analysis.contract.errors import InputError
            raise InputError(f"table {name} is missing", path=folder, expected=f"{name}.parquet or {name}.csv "
                             "(run `analysis extract`)")
        tables[name] = schema.conform(df, name)
    return tables


def _has_tables(folder: Path) -> bool:
    return (folder / "budget.parquet").exists() or (folder / "budget.csv").exists()


def run_extract(root: Path) -> None:
    """Default extractor: `analysis.extract.run(root)` writes data/processed/."""
    from analysis.sources.extract import run
    run(root)


def _is_stale(root: Path) -> bool:
    try:
        from analysis.sources.extract import is_stale
    except ImportError:
        return False
    return is_stale(root)


def load(root: str | Path | None = None, *, refresh: bool | str = "auto",
         extractor: Callable[[Path], None] | None = None) -> Workspace:
    """Load data/processed/ and data/reference/ into a `Workspace`.

    refresh='auto' extracts when data/processed/ is missing or was built from other inputs;
    True always extracts; False never does. `extractor(root)` writes data/processed/
    (default: `analysis.extract.run`); tests pass their own. In a notebook run by
    `analysis build` ($ANALYSIS_NO_EXTRACT), 'auto' reads data/processed/ as the build left it.
    The tables read are kept in memory for the next load in this process (a kernel running a
    batch of pages) while data/processed/ keeps the same files (names, sizes, mtimes; the folder's
    inode): each load gets its own DataFrames (copy-on-write, so one page's edits never reach the next).
    """
    root = paths.root(root)
    if refresh == "auto" and os.environ.get(NO_EXTRACT_ENV):
        refresh = False
    folder = paths.processed_dir(root)
    extract = extractor or run_extract
    if refresh is True or not _has_tables(folder) or (refresh == "auto" and _is_stale(root)):
        if refresh is False and not _has_tables(folder):
            raise FileNotFoundError(f"{folder} has no tables; run `analysis extract` or load(refresh=True)")
        extract(root)
    key = file_state.folder_key(folder)  # extract replaces the folder whole: a new inode
    if _loaded.get("key") == key:  # the same files as the last load in this process (a batch of pages)
        return Workspace(_loaded["tables"], reference.load(root), root=root,
                         unassigned=_loaded["unassigned"].copy(deep=False), conformed=True)
    tables = read_processed(folder)
    unassigned_path = folder / "unassigned_items.csv"
    unassigned = pd.read_csv(unassigned_path, dtype=str) if unassigned_path.exists() else None
    ws = Workspace(tables, reference.load(root), root=root, unassigned=unassigned, conformed=True)  # conformed above
    _loaded.clear()
    _loaded.update(key=key, tables=dict(ws.tables), unassigned=ws.unassigned)
    return Workspace(ws.tables, ws.reference, root=root, unassigned=ws.unassigned.copy(deep=False), conformed=True)


_loaded: dict = {}  # load's cache: the conformed tables of the last data/processed/ read, under its folder_key
