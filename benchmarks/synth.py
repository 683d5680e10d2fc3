#!/usr/bin/env python3
"""Add N synthetic municipalities to a THROWAWAY copy of the workspace, the README's way.

    python benchmarks/synth.py /tmp/scale/ws50 --n 45            # 45 synthetic municipalities
    python benchmarks/synth.py /tmp/scale/ws50 --n 45 --replace  # drop earlier synthetic ones first

For each municipality (id ``synth-de-0001`` / ``synth-dk-0003`` ...) it writes
``data/municipalities/<id>/`` with municipality.yml, documents.csv, budget.csv, indicators.csv
and goals.csv, and appends its population rows to ``data/reference/population.csv``. Nothing
else is touched (no code, no category map, no exchange rates: the years used, 2022 and 2023,
already have HICP and DKK rates).

Per municipality (defaults): 100 products x 3 phases x 2 years of product rows (direction net),
one area row per product group and org unit (= the sum of its products, so validate's
items-sum-to-total check passes and records a quality row), one grand total per phase and year
(its own org unit, so it is not re-checked against the areas), 30 indicators x (plan, actual) of
the latest year, 10 goals (status and reported achievement consistent with target and result,
some without a target). German ones (DE/EUR) use product numbers under the generic
category_map.csv rows (311*, 312*, ..., 36*, 41*), Danish ones (DK/DKK, every --dk-every-th)
kontoplan functions (05.25*, 05.28*, ..., 06*), so every product row is categorised. Every
third German municipality saves its tables as a German Excel would (';', decimal comma,
thousands '.', Windows-1252) to exercise dialect detection; the rest are ','/'.'/UTF-8.

All figures are invented (random, seeded): municipality i is the same whatever --n is, so the
first 45 of --n 495 are the municipalities of --n 45.

Safety: the target must be a workspace copy under tempfile.gettempdir() (after resolving
symlinks), must not hold a .venv (the shared baseline does; throwaway clones do not) and must
not be a git worktree of /work. It refuses otherwise, and never writes outside
<target>/data/municipalities/synth-* and <target>/data/reference/population.csv.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

PREFIX = "synth-"
YEARS = (2022, 2023)
PHASES = ("original_budget", "adjusted_budget", "actual")

# German product groups (generic rows of category_map.csv) with a few product names each.
DE_GROUPS = [
    ("311", "Grundversorgung und Hilfen nach dem SGB XII", ["Hilfe zum Lebensunterhalt", "Hilfe zur Pflege",
     "Hilfen zur Gesundheit", "Hilfe zur Überwindung besonderer sozialer Schwierigkeiten", "Grundsicherung im Alter",
     "Verwaltung der Sozialhilfe", "Bestattungskosten"]),
    ("312", "Grundsicherung für Arbeitsuchende nach dem SGB II", ["Leistungen für Unterkunft und Heizung",
     "Eingliederungsleistungen", "einmalige Leistungen", "Arbeitslosengeld II", "Bildung und Teilhabe SGB II",
     "Verwaltung Jobcenter", "Schuldnerberatung"]),
    ("313", "Hilfen für Asylbewerber", ["Grundleistungen AsylbLG", "Leistungen bei Krankheit AsylbLG",
     "Unterbringung", "Verwaltung AsylbLG", "Sprachkurse"]),
    ("314", "Eingliederungshilfe nach dem SGB IX", ["Assistenzleistungen", "Werkstätten", "Frühförderung",
     "Wohnen", "Teilhabe an Bildung", "Budget für Arbeit", "Verwaltung Eingliederungshilfe"]),
    ("315", "Soziale Einrichtungen", ["Seniorenarbeit", "Pflegestützpunkt", "Einrichtungen für Menschen mit "
     "Behinderungen", "Einrichtungen für Wohnungslose", "Frauenhaus", "Begegnungsstätten"]),
    ("321", "Leistungen nach dem Bundesversorgungsgesetz", ["Kriegsopferfürsorge", "Leistungen nach dem BVG",
     "Verwaltung BVG", "Erholungshilfe"]),
    ("331", "Förderung von Trägern der Wohlfahrtspflege", ["Zuschüsse Wohlfahrtsverbände", "Ehrenamt",
     "Sozialberatung", "Suchtberatung", "Migrationsberatung", "Tafeln"]),
    ("341", "Unterhaltsvorschussleistungen", ["Unterhaltsvorschuss", "Rückgriff Unterhaltsvorschuss",
     "Verwaltung Unterhaltsvorschuss", "Beistandschaften"]),
    ("343", "Betreuungsleistungen", ["Betreuungsbehörde", "Betreuungsvereine", "Verfahrenspflegschaften",
     "Vorsorgevollmachten"]),
    ("344", "Hilfen für Heimkehrer und politische Häftlinge", ["Leistungen nach dem Rehabilitierungsgesetz",
     "Heimkehrerstiftung", "Häftlingshilfe"]),
    ("345", "Leistungen nach dem Landesblindengeldgesetz", ["Landesblindengeld", "Gehörlosengeld",
     "Verwaltung Blindengeld"]),
    ("346", "Leistungen nach dem Wohngeldgesetz", ["Wohngeld", "Lastenzuschuss", "Verwaltung Wohngeld",
     "Heizkostenzuschuss"]),
    ("347", "Leistungen für Bildung und Teilhabe", ["Schulbedarf", "Lernförderung", "Mittagsverpflegung",
     "Teilhabe am sozialen Leben", "Schülerbeförderung"]),
    ("351", "Sonstige soziale Hilfen und Leistungen", ["Sonstige soziale Angelegenheiten",
     "Versicherungsangelegenheiten", "Krankenversorgung LAG", "Seniorenbeirat", "Inklusionsbeirat"]),
    ("36", "Kinder-, Jugend- und Familienhilfe", ["Kindertagesbetreuung", "Kindertagespflege",
     "Hilfe zur Erziehung ambulant", "Hilfe zur Erziehung stationär", "Inobhutnahme", "Jugendarbeit",
     "Jugendsozialarbeit", "Familienförderung", "Elterngeldstelle", "Adoptionsvermittlung"]),
    ("41", "Gesundheitsdienste", ["Sozialpsychiatrischer Dienst", "Kinder- und Jugendgesundheitsdienst",
     "Infektionsschutz", "Gesundheitsberichterstattung", "Zahnärztlicher Dienst"]),
]
# Danish kontoplan functions (generic rows of category_map.csv).
DK_GROUPS = [
    ("05.25", "Dagtilbud til børn og unge", ["Dagpleje", "Vuggestuer", "Børnehaver", "Integrerede institutioner",
     "Fritidshjem", "Klubber"]),
    ("05.28", "Tilbud til børn og unge med særlige behov", ["Forebyggende foranstaltninger", "Plejefamilier",
     "Opholdssteder", "Døgninstitutioner", "Sikrede døgninstitutioner", "Rådgivning"]),
    ("05.46", "Integration", ["Introduktionsprogram", "Danskuddannelse", "Boligplacering", "Tolkebistand"]),
    ("05.48", "Førtidspension og personlige tillæg", ["Førtidspension", "Personlige tillæg", "Helbredstillæg"]),
    ("05.57.71", "Sygedagpenge", ["Sygedagpenge", "Refusion sygedagpenge", "Opfølgning"]),
    ("05.57.72", "Sociale formål", ["Enkeltydelser", "Merudgifter", "Tabt arbejdsfortjeneste"]),
    ("05.57.73", "Kontanthjælp", ["Kontanthjælp", "Uddannelseshjælp", "Særlig støtte"]),
    ("05.57", "Kontante ydelser", ["Boligsikring", "Ledighedsydelse", "Revalidering"]),
    ("05.58", "Fleksjob", ["Fleksjob", "Ressourceforløb", "Jobafklaring"]),
    ("05.68", "Arbejdsmarkedsforanstaltninger", ["Aktivering", "Seniorjob", "Løntilskud", "Virksomhedspraktik"]),
    ("06", "Administration", ["Jobcenter administration", "Borgerservice", "Myndighed voksne", "Myndighed børn"]),
]
DE_REGIONS = ["Niedersachsen", "Bayern", "Hessen", "Sachsen", "Nordrhein-Westfalen", "Brandenburg",
              "Schleswig-Holstein", "Thüringen", "Rheinland-Pfalz", "Baden-Württemberg"]
DE_ADMIN = ["Landkreis", "Stadt", "Kreis", "kreisfreie Stadt", "Gemeinde"]
DK_REGIONS = ["Region Nordjylland", "Region Midtjylland", "Region Syddanmark", "Region Sjælland",
              "Region Hovedstaden"]
UNITS = {"de": ["Fälle", "Personen", "Tage", "Prozent", "Plätze", "Anträge"],
         "da": ["Antal", "Personer", "Dage", "Procent", "Pladser", "Sager"]}
PERSPECTIVES = ["client", "staff", "economic", "legal", "process_quality"]
GOAL_TYPES = ["outcome", "output", "process", "input", "structure"]

BUDGET_COLS = ["municipality_id", "document_id", "fiscal_year", "period", "org_unit", "item_code", "item_name",
               "item_name_en", "level", "direction", "economic_type", "phase", "amount", "currency", "category",
               "source_ref", "budget_type", "note"]
IND_COLS = ["municipality_id", "document_id", "fiscal_year", "item_code", "indicator", "indicator_en", "unit",
            "phase", "value", "category", "source_ref", "note"]
GOAL_COLS = ["municipality_id", "document_id", "goal_id", "item_code", "goal", "goal_en", "perspective",
             "goal_type", "metric", "unit", "direction", "target", "result", "result_phase",
             "achievement_reported", "achievement", "status", "quantified", "quote", "source_ref",
             "perspective_original", "target_year", "note"]
DOC_COLS = ["document_id", "municipality_id", "title", "reference", "date", "publisher", "language", "path",
            "sha256"]


# --- safety -------------------------------------------------------------------------------------

def check_target(target: Path) -> Path:
    """Resolve and vet the target; exit with a message when it is not a throwaway copy."""
    real = target.resolve()
    tmp = Path(tempfile.gettempdir()).resolve()
    problems = []
    if not real.is_relative_to(tmp) or real == tmp:
        problems.append(f"{real} is not inside the temporary directory {tmp}")
    if (real / ".venv").exists():
        problems.append(f"{real} holds a .venv: it looks like a working checkout (e.g. the shared baseline), "
                        "not a throwaway clone")
    if Path("/work").exists() and real.is_relative_to(Path("/work").resolve()):
        problems.append(f"{real} is under /work")
    for sub in ("data/municipalities", "data/reference/population.csv", "src/analysis"):
        if not (real / sub).exists():
            problems.append(f"{real / sub} not found: the target must be a copy of the workspace")
    data = real / "data"
    if data.exists() and not data.resolve().is_relative_to(tmp):
        problems.append(f"{data} resolves outside {tmp} (symlink?)")
    if problems:
        sys.exit("synth.py refuses to write:\n  " + "\n  ".join(problems))
    return real


# --- helpers ------------------------------------------------------------------------------------

class Dialect:
    def __init__(self, german_excel: bool):
        self.sep = ";" if german_excel else ","
        self.encoding = "cp1252" if german_excel else "utf-8"
        self.comma = german_excel

    def num(self, v: float | None, decimals: int = 2) -> str:
        if v is None:
            return ""
        # thousands separators only with decimals, so that no column is ambiguous (1.234)
        s = f"{v:,.{decimals}f}" if self.comma and decimals else f"{v:.{decimals}f}"
        if self.comma:  # 1,234,567.89 -> 1.234.567,89
            s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return s

    def write(self, path: Path, cols: list[str], rows: list[dict]) -> None:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, delimiter=self.sep, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
        path.write_bytes(buf.getvalue().encode(self.encoding))


def write_utf8_csv(path: Path, cols: list[str], rows: list[dict]) -> None:
    Dialect(False).write(path, cols, rows)


def products(groups, n: int, dk: bool) -> list[tuple[str, str, str, str]]:
    """n (group code, group name, item code, item name) spread over the groups, codes unique."""
    out, i = [], 0
    while len(out) < n:
        for g, gname, names in groups:
            k = sum(1 for o in out if o[0] == g)
            base = names[k % len(names)]
            name = base if k < len(names) else f"{base} ({k // len(names) + 1})"
            code = f"{g}.{k + 1:02d}" if dk else f"{g}{k + 1:02d}"
            out.append((g, gname, code, name))
            if len(out) == n:
                break
        i += 1
    return out


def percent(target: float, result: float, direction: str) -> float:
    return 100 * result / target if direction == "higher_is_better" else 100 * target / result


# --- one municipality ---------------------------------------------------------------------------

def make_one(idx: int, seed: int, n_products: int, n_indicators: int, n_goals: int, dk_every: int) -> dict:
    rng = random.Random(f"{seed}:{idx}")
    dk = dk_every > 0 and idx % dk_every == 0
    country, currency, lang = ("DK", "DKK", "da") if dk else ("DE", "EUR", "de")
    mid = f"{PREFIX}{country.lower()}-{idx:04d}"
    german_excel = (not dk) and idx % 3 == 1
    d = Dialect(german_excel)
    name = f"Synth-Kommune {idx}" if dk else f"{rng.choice(['Landkreis', 'Stadt', 'Kreis'])} Synthheim {idx}"
    meta = {"municipality_id": mid, "name": f"{name} (synthetic)", "country": country,
            "region": rng.choice(DK_REGIONS if dk else DE_REGIONS),
            "admin_type": "Kommune" if dk else rng.choice(DE_ADMIN), "currency": currency, "language": lang,
            "official_code": f"9{idx:03d}" if dk else f"99{idx:06d}"}
    doc_id = f"{mid}-budget-{YEARS[-1]}"
    doc = {"document_id": doc_id, "municipality_id": mid,
           "title": ("Budget og regnskab" if dk else "Haushaltsplan mit Ergebnissen") + f" {YEARS[-1]} (synthetic)",
           "reference": f"SYN/{idx}/{YEARS[-1]}", "date": f"{YEARS[-1]}-03-{1 + idx % 28:02d}",
           "publisher": meta["name"], "language": lang,
           "path": f"https://example.org/synthetic/{mid}/budget-{YEARS[-1]}.pdf", "sha256": ""}
    scale = rng.uniform(0.3, 3.0) * (7.45 if dk else 1.0)
    items = products(DK_GROUPS if dk else DE_GROUPS, n_products, dk)
    base_amount = {code: rng.uniform(5e4, 2e7) * scale for _, _, code, _ in items}
    budget = []
    totals: dict[tuple, float] = {}
    unit_of = lambda g: f"{'Afdeling' if dk else 'FB'} {g}"  # noqa: E731  org unit per product group
    for year in YEARS:
        growth = 1.0 + 0.04 * (year - YEARS[0]) + rng.uniform(-0.01, 0.01)
        for phase in PHASES:
            area_sum: dict[str, float] = {}
            for g, gname, code, iname in items:
                f = {"original_budget": 1.0, "adjusted_budget": rng.uniform(0.97, 1.06),
                     "actual": rng.uniform(0.9, 1.1)}[phase]
                amount = round(base_amount[code] * growth * f, 2)
                area_sum[g] = round(area_sum.get(g, 0.0) + amount, 2)
                budget.append({"municipality_id": "", "document_id": doc_id, "fiscal_year": year, "period": "",
                               "org_unit": unit_of(g), "item_code": code, "item_name": iname, "item_name_en": "",
                               "level": "product", "direction": "net", "economic_type": "all", "phase": phase,
                               "amount": d.num(amount), "currency": "", "category": "", "source_ref": "",
                               "budget_type": "operating", "note": ""})
            for g, gname, _ in (DK_GROUPS if dk else DE_GROUPS):
                if g not in area_sum:
                    continue
                budget.append({"municipality_id": mid, "document_id": doc_id, "fiscal_year": year,
                               "period": str(year), "org_unit": unit_of(g), "item_code": g, "item_name": gname,
                               "item_name_en": "", "level": "area", "direction": "net", "economic_type": "all",
                               "phase": phase, "amount": d.num(area_sum[g]), "currency": currency, "category": "",
                               "source_ref": "", "budget_type": "operating", "note": ""})
            totals[(year, phase)] = round(sum(area_sum.values()), 2)
    for (year, phase), amount in totals.items():
        budget.append({"municipality_id": mid, "document_id": doc_id, "fiscal_year": year, "period": str(year),
                       "org_unit": "Sozialverwaltung gesamt" if not dk else "Social- og beskæftigelse i alt",
                       "item_code": "5" if dk else "3", "item_name": "I alt" if dk else "Soziales gesamt",
                       "item_name_en": "Total", "level": "total", "direction": "net", "economic_type": "all",
                       "phase": phase, "amount": d.num(amount), "currency": currency, "category": "",
                       "source_ref": "", "budget_type": "operating", "note": ""})
    units = UNITS[lang]
    indicators = []
    latest = YEARS[-1]
    for k in range(n_indicators):
        g, gname, code, iname = items[k % len(items)]
        unit = units[k % len(units)]
        plan = float(rng.randint(20, 5000))
        for phase, v in (("original_budget", plan), ("actual", float(round(plan * rng.uniform(0.8, 1.2))))):
            indicators.append({"municipality_id": "", "document_id": doc_id, "fiscal_year": latest,
                               "item_code": code, "indicator": f"{'Antal' if dk else 'Kennzahl'} {k + 1}: {iname}",
                               "indicator_en": f"Indicator {k + 1}", "unit": unit, "phase": phase,
                               "value": d.num(v, 0), "category": "", "source_ref": "", "note": ""})
    goals = []
    for k in range(n_goals):
        g, gname, code, iname = items[(7 * k) % len(items)]
        quantified = k % 4 != 3
        row = {"municipality_id": "", "document_id": doc_id, "goal_id": f"{mid}-{latest}-{k + 1:02d}",
               "item_code": code, "goal": f"Ziel {k + 1} für {iname}" if not dk else f"Mål {k + 1} for {iname}",
               "goal_en": f"Goal {k + 1} for item {code}", "perspective": PERSPECTIVES[k % len(PERSPECTIVES)],
               "goal_type": GOAL_TYPES[k % len(GOAL_TYPES)], "metric": "", "unit": "", "direction": "none",
               "target": "", "result": "", "result_phase": "", "achievement_reported": "", "achievement": "",
               "status": "no_target", "quantified": "", "quote": "", "source_ref": "",
               "perspective_original": "", "target_year": str(latest), "note": ""}
        if quantified:
            direction = "higher_is_better" if k % 2 == 0 else "lower_is_better"
            target = float(rng.randint(50, 2000))
            result = float(round(target * rng.uniform(0.8, 1.2)))
            worse = result < target if direction == "higher_is_better" else result > target
            row.update(metric=f"Anzahl {iname}" if not dk else f"Antal {iname}", unit=units[k % len(units)],
                       direction=direction, target=d.num(target, 0), result=d.num(result, 0),
                       result_phase="actual", achievement_reported=d.num(percent(target, result, direction), 1),
                       status="missed" if worse else "met")
            row["quote"] = (f"{row['goal']}: Ziel {d.num(target, 0)}, erreicht {d.num(result, 0)}." if not dk
                            else f"{row['goal']}: mål {d.num(target, 0)}, opnået {d.num(result, 0)}.")
        else:
            row["quote"] = f"{row['goal']} (qualitativ)." if not dk else f"{row['goal']} (kvalitativt)."
        goals.append(row)
    pop0 = rng.randint(20_000, 700_000)
    population = [{"municipality_id": mid, "official_code": meta["official_code"], "year": y,
                   "reference_date": f"{y}-12-31", "population": int(pop0 * (1 + 0.005 * (y - YEARS[0]))),
                   "source": "synthetic benchmark figure (invented)", "publisher": "synth.py",
                   "notes": "SYNTHETIC: not a real figure"} for y in YEARS]
    return {"id": mid, "meta": meta, "doc": doc, "budget": budget, "indicators": indicators, "goals": goals,
            "population": population, "dialect": d}


def write_one(m: dict, base: Path) -> None:
    folder = base / m["id"]
    folder.mkdir(parents=True)
    meta = m["meta"]
    lines = ["# SYNTHETIC municipality for benchmarks (research/scale/synth.py); every figure is invented."]
    for k, v in meta.items():
        lines.append(f'{k}: "{v}"' if k == "official_code" else f"{k}: {v}")
    (folder / "municipality.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_utf8_csv(folder / "documents.csv", DOC_COLS, [m["doc"]])
    d = m["dialect"]
    d.write(folder / "budget.csv", BUDGET_COLS, m["budget"])
    d.write(folder / "indicators.csv", IND_COLS, m["indicators"])
    d.write(folder / "goals.csv", GOAL_COLS, m["goals"])


def remove_synthetic(root: Path) -> int:
    base = root / "data" / "municipalities"
    gone = 0
    for p in sorted(base.glob(PREFIX + "*")):
        shutil.rmtree(p)
        gone += 1
    pop = root / "data" / "reference" / "population.csv"
    lines = pop.read_text(encoding="utf-8").splitlines(keepends=True)
    keep = [ln for ln in lines if not ln.startswith(PREFIX)]
    if len(keep) != len(lines):
        pop.write_text("".join(keep), encoding="utf-8")
    return gone


def generate(root: Path, n: int, seed: int = 20240601, n_products: int = 100, n_indicators: int = 30,
             n_goals: int = 10, dk_every: int = 5, replace: bool = False) -> list[str]:
    root = check_target(Path(root))
    base = root / "data" / "municipalities"
    existing = sorted(base.glob(PREFIX + "*"))
    if existing and not replace:
        sys.exit(f"{len(existing)} synthetic municipalities exist already in {base}; pass --replace")
    if existing or replace:
        remove_synthetic(root)
    pop = root / "data" / "reference" / "population.csv"
    text = pop.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    header = text.splitlines()[0].split(",")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    ids = []
    for idx in range(1, n + 1):
        m = make_one(idx, seed, n_products, n_indicators, n_goals, dk_every)
        write_one(m, base)
        w.writerows(m["population"])
        ids.append(m["id"])
    pop.write_text(text + buf.getvalue(), encoding="utf-8")
    return ids


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("target", type=Path, help="root of a throwaway workspace copy (under the temp dir)")
    ap.add_argument("--n", type=int, required=True, help="number of synthetic municipalities to add")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--products", type=int, default=100)
    ap.add_argument("--indicators", type=int, default=30)
    ap.add_argument("--goals", type=int, default=10)
    ap.add_argument("--dk-every", type=int, default=5, help="every k-th municipality is Danish (0: none)")
    ap.add_argument("--replace", action="store_true", help="remove earlier synthetic municipalities first")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    ids = generate(a.target, a.n, a.seed, a.products, a.indicators, a.goals, a.dk_every, a.replace)
    dk = sum("-dk-" in i for i in ids)
    print(f"wrote {len(ids)} synthetic municipalities ({len(ids) - dk} DE, {dk} DK) into "
          f"{a.target}/data/municipalities in {time.perf_counter() - t0:.2f}s")


if __name__ == "__main__":
    main()
