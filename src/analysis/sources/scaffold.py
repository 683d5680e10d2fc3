"""`analysis new-municipality ID --name ... --country ... --currency ...`: create
data/municipalities/ID/ with municipality.yml, documents.csv, empty budget.csv,
indicators.csv and goals.csv (header row only) and a README.md saying what to fill.

An existing folder is never overwritten unless --force is given.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path

from analysis.contract import paths, schema
from analysis.contract.codes import COUNTRIES, COUNTRY_LANGUAGE, CURRENCIES, check_country, check_currency  # noqa: F401
from analysis.contract.errors import InputError, Problem

# Table files: the contract's columns (municipality_id included; it may stay empty) plus
# the optional columns analysts need most.
TEMPLATE_COLUMNS = {
    "budget": schema.COLUMNS["budget"] + ["budget_type", "note"],
    "indicators": schema.COLUMNS["indicators"] + ["note"],
    "goals": schema.COLUMNS["goals"] + ["perspective_original", "target_year", "note"],
}
FILES = ["municipality.yml", "documents.csv", "budget.csv", "indicators.csv", "goals.csv", "README.md"]
SLUG_RULE = ("lower-case letters a-z and digits, words joined by single hyphens, starting with a letter "
             "(like 'berlin-neukoelln'; no umlauts, spaces or underscores)")
WHERE = "analysis new-municipality"


def slugify(text: str) -> str:
    """A slug for `text` ('Bad Segeberg' -> 'bad-segeberg', 'Neukölln' -> 'neukoelln')."""
    t = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        t = t.replace(a, b)
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    t = re.sub(r"[^a-z0-9]+", "-", t).strip("-")
    return re.sub(r"^[0-9-]+", "", t)


def check_id(municipality_id: str) -> list[Problem]:
    if re.match(schema.SLUG, municipality_id or ""):
        return []
    hint = slugify(municipality_id or "")
    message = "not a valid municipality id" + (f" (try '{hint}')" if hint else "")
    return [Problem(WHERE, message, None, "ID", SLUG_RULE, municipality_id)]


def create(municipality_id: str, *, name: str, country: str, currency: str, region: str | None = None,
           admin_type: str = "Kommune", language: str | None = None, force: bool = False,
           root: Path | None = None) -> Path:
    """Create the folder of a new municipality and return it; raise InputError naming every bad argument."""
    problems = check_id(municipality_id) + check_country(country) + check_currency(currency)
    if not name or not str(name).strip():
        problems.append(Problem(WHERE, "the name may not be empty", None, "--name", "the official name", name))
    if admin_type not in schema.ADMIN_TYPES:
        problems.append(Problem(WHERE, "unknown administrative type", None, "--admin-type",
                                "one of " + ", ".join(schema.ADMIN_TYPES), admin_type))
    language = language or COUNTRY_LANGUAGE.get(str(country))
    if not language and str(country) in COUNTRIES:
        problems.append(Problem(WHERE, f"no default language for country {country}", None, "--language",
                                "an ISO 639-1 code like de, da, sv", None))
    elif language and not re.fullmatch(r"[a-z]{2}", language):
        problems.append(Problem(WHERE, "not an ISO 639-1 language code", None, "--language",
                                "two lower-case letters like de, da, sv", language))
    if problems:
        raise InputError(problems)
    folder = paths.municipalities_dir(root) / municipality_id
    if folder.exists() and any(folder.iterdir()) and not force:
        raise InputError(f"{paths.rel(folder, root)} already exists; nothing was overwritten. Pass --force to "
                         "replace its municipality.yml, documents.csv, tables and README.md with empty templates "
                         "(the tables you filled in are lost)", path=WHERE, column="ID",
                         expected="a new municipality id", found=municipality_id)
    folder.mkdir(parents=True, exist_ok=True)
    meta = dict(municipality_id=municipality_id, name=name.strip(), country=country, region=region,
                admin_type=admin_type, currency=currency, language=language)
    (folder / "municipality.yml").write_text(municipality_yml(meta), encoding="utf-8")
    _write_header(folder / "documents.csv", schema.COLUMNS["documents"])
    for table, columns in TEMPLATE_COLUMNS.items():
        _write_header(folder / f"{table}.csv", columns)
    (folder / "README.md").write_text(readme(meta), encoding="utf-8")
    return folder


def _write_header(path: Path, columns: list[str]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(columns)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _scalar(v) -> str:
    return "" if v is None else json.dumps(v, ensure_ascii=False)


def municipality_yml(meta: dict) -> str:
    return f"""# Metadata of one municipality; see README.md in this folder and the workspace README ("Add a municipality").
municipality_id: {meta['municipality_id']}
name: {_scalar(meta['name'])}
country: {meta['country']}            # ISO 3166-1 alpha-2
region: {_scalar(meta.get('region'))}             # state or region (may stay empty)
admin_type: {_scalar(meta['admin_type'])}      # one of: {', '.join(schema.ADMIN_TYPES)}
currency: {meta['currency']}          # ISO 4217; the currency the documents print
language: {meta['language']}             # ISO 639-1; language of the documents (decides ambiguous decimals)
# official_code: "03157"   # optional: the official municipality key (AGS, kommunekode, ...)

# How to read the tables in this folder. Optional: without it each file's format is detected and
# `analysis validate {meta['municipality_id']}` prints what it assumed.
input:
  files: {{}}
  # files:                          # per file: delimiter (, ; tab), decimal (, .), encoding, sheet (XLSX)
  #   budget.csv: {{delimiter: ";", decimal: ",", encoding: windows-1252}}
  #   goals.xlsx: {{sheet: Ziele}}
  wide: []
  # wide:                           # budgets published one column per year and phase
  #   - file: haushalt_2017.csv
  #     table: budget
  #     item_code: Produkt          # a field given as text is a column header
  #     item_name: Bezeichnung
  #     direction: {{column: Art, map: {{Aufwand: expenditure, Ertrag: revenue}}}}
  #     columns: {{pattern: "^(Ist|Plan) (\\\\d{{4}})$", phase: {{Ist: actual, Plan: original_budget}}, fiscal_year: 2}}
  #     sign: as_is                 # as_is | negate | revenue_negative | expenditure_negative
  #     unit: 1000                  # 1 | 1000 | 1000000
  #     constants: {{level: product, economic_type: all, org_unit: "FB 50 Soziales", document_id: {meta['municipality_id']}-haushalt-2017}}
  # long:                           # one amount per row, e.g. per product and account: see data/municipalities/kiel/
  #   - file: haushalt_2017.csv
  #     value: Betrag
  #     filters: {{keep: [{{column: Produkt, prefix: ["31", "36", "41"]}}]}}
  #     item_code: Produkt
  #     item_name: Produkt-Bez
  #     org_unit: Teilplan-Bez
  #     direction: {{column: Aufwand/Ertrag, map: {{Aufwand: expenditure, Ertrag: revenue}}}}
  #     constants: {{fiscal_year: 2017, phase: original_budget, level: product, document_id: {meta['municipality_id']}-haushalt-2017}}
  #     aggregate: {{by: [item_code]}}  # sum the accounts of each product
"""


def _vocab(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


def readme(meta: dict) -> str:
    mid = meta["municipality_id"]
    return f"""# {meta['name']} (`{mid}`)

Tables for this municipality, filled in by hand or exported from a spreadsheet, or a budget file as
it was published, mapped in `municipality.yml`. The full guide is the section "Add a municipality"
of the workspace's `README.md` (in the workspace folder, three levels up from this one:
`../../../README.md`); it walks through a published budget file (Kiel, `data/municipalities/kiel/`)
end to end. The data contract is `src/analysis/contract/schema.py`.

## What to fill

1. `municipality.yml`: check the metadata (name, country, region, admin_type, currency, language).
2. `documents.csv`: one row per source document (budget, report, council paper):
   document_id (a slug like `{mid}-haushalt-2024`), municipality_id (`{mid}`), title, reference
   (council reference), date (YYYY-MM-DD), publisher, language, path (a file in this folder or a web
   address), sha256 (of the file; may stay empty for web addresses). Keep it comma-separated UTF-8.
3. The tables, any of them (a municipality with only goals or only budget figures is fine;
   leave a table with its header row only when you have nothing for it):
   - `budget.csv`: one amount per row, in whole currency units; expenditure and revenue positive;
     net = expenditure - revenue (positive = the municipality pays).
   - `indicators.csv`: one value per row (cases, staff, days, ...).
   - `goals.csv`: one goal per row with its verbatim quote.
   CSV with `,` `;` or tab, decimal comma or point, UTF-8 or Windows-1252 are all read; so is
   `budget.xlsx` etc. instead of the CSV (delete the CSV then). Budget files as published are
   mapped in `municipality.yml`, without pivoting them by hand: one column per year under
   `input: wide:`, one amount per row (e.g. per product and account) under `input: long:`.
4. Run `analysis validate {mid}` and fix what it reports; then `make build`.

Columns you may leave empty: `municipality_id` (this folder's id), `document_id` (when
documents.csv lists exactly one document), `period` (the fiscal year), `economic_type` (`all`),
`currency` ({meta['currency']}), `source_ref` (`<table file>:<row>`), goals' `quantified` (yes when a
target or result is given) and `achievement` (computed from target and result). A figure the document
does not give stays empty, never 0. A figure that is wrong in the document itself (items that do not
add up, a reported achievement that does not match) is entered as printed with a `note` starting
`as printed`; validate then warns instead of failing.

## Vocabularies

- level: {_vocab(schema.LEVELS)}
- direction (budget): {_vocab(schema.DIRECTIONS)}
- economic_type: {_vocab(schema.ECONOMIC_TYPES)}
- phase / result_phase: {_vocab(schema.PHASES)}
- budget_type: {_vocab(schema.BUDGET_TYPES)}
- perspective (goals): {_vocab(schema.GOAL_PERSPECTIVES)} (the document's own label goes into
  `perspective_original`; definitions in `data/curated/goals/README.md`)
- goal_type: {_vocab(schema.GOAL_TYPES)}
- direction (goals): {_vocab(schema.GOAL_DIRECTIONS)}
- status (goals): {_vocab(schema.GOAL_STATUSES)}
- category: a COFOG code from `data/reference/cofog.csv` (e.g. `10.2` old age, `10.4` family and
  children, `10.7` social exclusion n.e.c.), or empty to use the category map.
"""


def add_arguments(parser) -> None:
    parser.add_argument("municipality_id", metavar="ID", help="a slug like 'bad-segeberg'")
    parser.add_argument("--name", required=True, help="official name, e.g. 'Landkreis Peine'")
    parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. DE")
    parser.add_argument("--currency", required=True, help="ISO 4217 code, e.g. EUR")
    parser.add_argument("--region", default=None, help="state or region, e.g. Niedersachsen")
    parser.add_argument("--admin-type", default="Kommune",
                        help="one of: " + ", ".join(schema.ADMIN_TYPES) + " (default Kommune)")
    parser.add_argument("--language", default=None,
                        help="ISO 639-1 code of the documents (default from the country, e.g. DE -> de)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing folder's template files")


def run_cli(args) -> int:
    folder = create(args.municipality_id, name=args.name, country=args.country, currency=args.currency,
                    region=args.region, admin_type=args.admin_type, language=args.language,
                    force=args.force, root=getattr(args, "root", None))
    print(f"created {paths.rel(folder, getattr(args, 'root', None))}/: " + ", ".join(FILES))
    print(f"next: fill documents.csv and the tables (see {paths.rel(folder, getattr(args, 'root', None))}/README.md), "
          f"then run: analysis validate {args.municipality_id}")
    return 0
