"""Benchmark: `analysis validate` and `analysis extract` of a 100,000-row account-level budget file.

Run: .venv/bin/python benchmarks/bench_long_file.py [--rows 100000] [--mode aggregate|lines] [--repeat 1]

Generates, in a temporary workspace (never in data/), a file laid out like Kiel's published
Ergebnisplan (one row per product x account, ';', decimal comma, Windows-1252, Aufwand printed
negative) with a long mapping in municipality.yml: `aggregate` sums the accounts into products
(as the Kiel mapping does), `lines` imports every account row as a budget line. The data/reference
of this checkout is used, so categories and reference checks run as in a real build. Goal: each
step under 10 s on a 2-core machine. Prints one line per run with wall-clock and CPU time (the CPU
time says what the step costs when other processes share the machine).
"""
from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

HEADER = ("Produktbereich;Produktbereich-Bez;Teilplan;Teilplan-Bez;Produkt;Produkt-Bez;Aufwand/Ertrag;"
          "Ergebnisgliederungscode;Ergebnisgliederung-Bez;Sachkonto;Sachkonto-Bez;Betrag;Datum")
GROUPS = ["3111", "3112", "3113", "3116", "3121", "313", "315", "341", "351", "361", "3633", "365", "412", "414"]
ACCOUNTS = [("Ertrag", "02", "414100"), ("Ertrag", "06", "448100"), ("Aufwand", "11", "501100"),
            ("Aufwand", "13", "521100"), ("Aufwand", "15", "533100"), ("Aufwand", "162", "543100")]

MAPPING = """municipality_id: benchstadt
name: Benchstadt (generated benchmark data)
country: DE
region: Schleswig-Holstein
admin_type: kreisfreie Stadt
currency: EUR
language: de
input:
  files:
    haushalt.csv: {{delimiter: ";", decimal: ",", encoding: windows-1252}}
  long:
    - file: haushalt.csv
      value: Betrag
      filters:
        keep:
          - {{column: Produkt, prefix: ["31", "32", "33", "34", "35", "36", "41"]}}
      item_code: {item_code}
      item_name: {item_name}
      org_unit: {org_unit}
      direction: {{column: Aufwand/Ertrag, map: {{Aufwand: expenditure, Ertrag: revenue}}}}
      sign: expenditure_negative
      constants: {{document_id: benchstadt-haushalt-2017, fiscal_year: 2017, phase: original_budget, level: {level}}}
{aggregate}"""
DOCS = ("document_id,municipality_id,title,reference,date,publisher,language,path,sha256\n"
        "benchstadt-haushalt-2017,benchstadt,Generated benchmark file,,2017-01-01,none,de,haushalt.csv,\n")


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    lines = [HEADER]
    per_product = 25
    n = 0
    product = 0
    while n < rows:
        group = GROUPS[product % len(GROUPS)]
        code = f"{group}{product:05d}"  # unique, and starts with its Teilplan as Kiel's products do
        for k in range(per_product):
            if n >= rows:
                break
            kind, eg, account = ACCOUNTS[k % len(ACCOUNTS)]
            amount = rnd.randrange(0, 50_000) * 100
            text = f"{'-' if kind == 'Aufwand' else ''}{amount},00"
            lines.append(f"{group[:2]};Soziale Hilfen;{group};Teilplan {group};{code};Produkt {product} "
                         f"(Gebrauchtm\u00f6bel < 150 \u20ac);{kind};{eg};Zeile {eg};{account}{k:02d};Konto {k};{text};01.01.2017")
            n += 1
        product += 1
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--mode", choices=["aggregate", "lines"], default="aggregate")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    from analysis.contract import paths
    from analysis.sources import extract, validate
    here = paths.root()
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "ws"
            shutil.copytree(here / "data" / "reference", root / "data" / "reference")
            (root / "data" / "raw").mkdir(parents=True)
            (root / "data" / "raw" / "documents.csv").write_text(
                "document_id,municipality_id,title,reference,date,publisher,language,path,sha256,importer\n",
                encoding="utf-8")
            folder = root / "data" / "municipalities" / "benchstadt"
            folder.mkdir(parents=True)
            generate(folder / "haushalt.csv", args.rows)
            if args.mode == "aggregate":
                fields = dict(item_code="Produkt", item_name="Produkt-Bez", org_unit="Teilplan-Bez", level="product",
                              aggregate="      aggregate: {by: [item_code]}\n")
            else:
                fields = dict(item_code="Sachkonto", item_name="Sachkonto-Bez", org_unit="Produkt", level="line",
                              aggregate="")
            (folder / "municipality.yml").write_text(MAPPING.format(**fields), encoding="utf-8")
            (folder / "documents.csv").write_text(DOCS, encoding="utf-8")
            size = (folder / "haushalt.csv").stat().st_size
            t0, c0 = time.perf_counter(), time.process_time()
            report = validate.check("benchstadt", root)
            t_validate, c_validate = time.perf_counter() - t0, time.process_time() - c0
            if report.errors:
                raise SystemExit("\n".join(map(str, report.errors[:10])))
            t0, c0 = time.perf_counter(), time.process_time()
            result = extract.run(root, out_dir=Path(tmp) / "processed")
            t_extract, c_extract = time.perf_counter() - t0, time.process_time() - c0
            rows_out = len(result.tables["budget"])
            print(f"run {i + 1} ({args.mode}): {args.rows:,} rows ({size / 2**20:.1f} MiB) -> {rows_out:,} budget rows; "
                  f"validate {t_validate:.2f}s (CPU {c_validate:.2f}s), extract {t_extract:.2f}s (CPU {c_extract:.2f}s)")


if __name__ == "__main__":
    main()
