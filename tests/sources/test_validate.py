import csv
import io
import shutil
from pathlib import Path

from conftest import fixture_workspace

from analysis import cli
from analysis.sources import validate

ROOT = Path(__file__).resolve().parents[2]
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "municipality"
M = "data/municipalities/musterstadt"


def _workspace(tmp_path):
    return fixture_workspace(tmp_path, with_musterstadt=True)


def _edit(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV, keeping its delimiter and encoding."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text, enc = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, enc = raw.decode("cp1252"), "cp1252"
    delim = ";" if text.split("\n", 1)[0].count(";") else ","
    recs = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    recs[row - 1][recs[0].index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator="\n").writerows(recs)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(enc))


def _check(root):
    report = validate.check("musterstadt", root)
    return report, [str(e) for e in report.errors], [str(w) for w in report.warnings]


def test_fixture_is_valid(tmp_path):
    report, errors, warnings = _check(_workspace(tmp_path))
    assert errors == [] and warnings == []
    assert f"{M}/goals.csv: read as ';'-separated (declared), decimal comma (detected), UTF-8 with BOM (declared)" \
        in report.notes


def test_required_column_missing(tmp_path):
    root = _workspace(tmp_path)
    b = root / M / "budget.csv"
    b.write_text(b.read_text(encoding="utf-8").replace(",level,", ",ebene,", 1), encoding="utf-8")
    _, errors, warnings = _check(root)
    assert f"{M}/budget.csv:1, column 'level': required column is missing; expected a column in the header row" \
        in errors
    assert any("budget.csv:1, column 'ebene': columns not in the contract are ignored" in w for w in warnings)


def test_types(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "budget.csv", 4, "amount", "zwei Millionen")
    _edit(root / M / "budget.csv", 5, "fiscal_year", "2023/24")
    _edit(root / M / "indicators.csv", 3, "value", "12,5 Tage lang")
    _, errors, _ = _check(root)
    assert any(e.startswith(f"{M}/budget.csv:4, column 'amount': not a number") for e in errors)
    assert f"{M}/budget.csv:5, column 'fiscal_year': not a whole number; expected a year like 2023, " \
           "found '2023/24'" in errors
    assert any(e.startswith(f"{M}/indicators.csv:3, column 'value': not a number") for e in errors)


def test_enumerations(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "budget.csv", 3, "level", "produkt")
    _edit(root / M / "goals.csv", 4, "goal_type", "strategy")
    _, errors, _ = _check(root)
    assert f"{M}/budget.csv:3, column 'level': value breaks the contract; expected one of total, area, " \
           "product, line, found 'produkt'" in errors
    assert any(e.startswith(f"{M}/goals.csv:4, column 'goal_type': value breaks the contract; expected one of")
               for e in errors)


def test_duplicate_keys(tmp_path):
    root = _workspace(tmp_path)
    b = root / M / "budget.csv"
    lines = b.read_text(encoding="utf-8").splitlines()
    b.write_text("\n".join(lines + [lines[2]]) + "\n", encoding="utf-8")  # row 3 again as row 7
    _, errors, _ = _check(root)
    dup = [e for e in errors if "duplicate row" in e]
    assert len(dup) == 1 and dup[0].startswith(f"{M}/budget.csv:7, column 'document_id': duplicate row")
    assert f"same key as {M}/budget.csv:3" in dup[0]


def test_unknown_category_suggests_the_closest(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "budget.csv", 3, "category", "10,7")
    _edit(root / M / "indicators.csv", 4, "category", "Pflege")
    _, errors, _ = _check(root)
    assert f"{M}/budget.csv:3, column 'category': unknown category (did you mean 10.7?); expected a code of " \
           "data/reference/cofog.csv like 10.7, or empty, found '10,7'" in errors
    assert any(e.startswith(f"{M}/indicators.csv:4, column 'category': unknown category") for e in errors)


def test_items_that_do_not_sum_to_their_total(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "budget.csv", 2, "amount", "5,432,102.50")  # 2.00 more than 3 items; tolerance 1.5
    report, errors, _ = _check(root)
    assert errors == [f"{M}/budget.csv:2, column 'amount': area 'Soziale Hilfen' (original_budget 2023, net, "
                      "org_unit 'FB 50 Soziales') does not equal the sum of its 3 product rows (rows 3, 4, 5); "
                      "expected 5,432,100.5 (+-1.5), found '5,432,102.5'"]
    _edit(root / M / "budget.csv", 2, "amount", "5,432,101.50")  # within 0.5 x 3 items
    assert _check(root)[1] == []


def test_wide_totals_are_checked_in_the_file_unit(tmp_path):
    root = _workspace(tmp_path)
    w = root / M / "haushalt_wide.csv"
    w.write_text(w.read_text(encoding="utf-8").replace("3.450,5", "3.452,5"), encoding="utf-8")
    _, errors, _ = _check(root)
    assert len(errors) == 1
    assert errors[0].startswith(f"{M}/haushalt_wide.csv:2, column 'amount': area 'Soziale Hilfen' (actual 2021, "
                                "expenditure, org_unit 'FB 50 Soziales') does not equal the sum of its 2 product rows "
                                "(rows 3, 4); expected 3,450,500 (+-1,000), found '3,452,500'")


def test_a_total_marked_as_printed_is_a_warning(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "budget.csv", 2, "amount", "5,432,200.50")
    _edit(root / M / "budget.csv", 2, "note", "as printed: the plan's total is 100 EUR too high")
    report, errors, warnings = _check(root)
    assert errors == [] and report.ok
    assert warnings[0].startswith(f"{M}/budget.csv:2, column 'amount': area 'Soziale Hilfen'")


def test_goal_met_although_result_is_worse(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "goals.csv", 3, "status", "met")  # lower is better: 1.250 against 1.200
    _, errors, _ = _check(root)
    assert errors == [f"{M}/goals.csv:3, column 'status': goal musterstadt-2023-02: status 'met' but result 1,250 "
                      "is worse than target 1,200 (lower_is_better); expected missed, found 'met'"]


def test_goal_missed_although_result_reaches_target(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "goals.csv", 2, "status", "missed")
    _, errors, _ = _check(root)
    assert errors == [f"{M}/goals.csv:2, column 'status': goal musterstadt-2023-01: status 'missed' but result 97 "
                      "is at or better than target 95 (higher_is_better); expected met, found 'missed'"]


def test_reported_achievement_that_does_not_match(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "goals.csv", 2, "achievement_reported", "110")
    _, errors, _ = _check(root)
    assert errors == [f"{M}/goals.csv:2, column 'achievement_reported': goal musterstadt-2023-01: reported "
                      "achievement does not match target 95 and result 97 (result / target x 100); "
                      "expected 102.1 (+-0.5), found '110'"]


def _drop_rows(path: Path, keep) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(l for l in lines if keep(l)) + "\n", encoding="utf-8")


def test_population_missing_names_the_row_to_add(tmp_path):
    # missing population never breaks the site: a warning naming the row to add, not an error
    root = _workspace(tmp_path)
    _drop_rows(root / "data/reference/population.csv", lambda l: ",2020," not in l and ",2021," not in l)
    report, errors, warnings = _check(root)
    assert f"data/reference/population.csv:4, column 'population': no population for musterstadt 2020 or earlier " \
           f"(used by {M}/haushalt_wide.csv:2): musterstadt is left out of per-inhabitant figures for 2020 until you " \
           "add a row municipality_id=musterstadt, official_code=00000, " \
           "year=2020, reference_date=<YYYY-MM-DD, e.g. 2020-12-31>, population=<official figure>, " \
           "source=<where from>, publisher=<statistical office>; expected a row for 2020" in warnings
    assert any(w.startswith("data/reference/population.csv:5, column 'population': no population for musterstadt "
                            "2021 or earlier") for w in warnings)
    assert errors == [] and report.ok


def test_population_of_an_earlier_year_is_a_warning(tmp_path):
    root = _workspace(tmp_path)
    _drop_rows(root / "data/reference/population.csv", lambda l: ",2023," not in l)
    report, errors, warnings = _check(root)
    assert errors == [] and report.ok
    assert warnings == ["data/reference/population.csv:4, column 'population': no population for musterstadt 2023 "
                        f"(used by {M}/budget.csv:2); the figure for 2022 (row 4) will be used. For the exact year add "
                        "a row municipality_id=musterstadt, official_code=00000, year=2023, reference_date=<YYYY-MM-DD, "
                        "e.g. 2023-12-31>, population=<official figure>, source=<where from>, publisher=<statistical "
                        "office>; expected a row for 2023, found '2022'"]


def test_exchange_rate_missing_for_a_new_currency(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "budget.csv", 3, "currency", "SEK")
    _, errors, warnings = _check(root)
    # exchange_rates.csv has SEK 2022 only (row 2); the four missing years get rows 3-5 (warnings: the
    # municipality is left out of EUR figures until they are added)
    assert "data/reference/exchange_rates.csv:5, column 'units_per_eur': no exchange rate for SEK 2023 (used by " \
           f"{M}/budget.csv:2): musterstadt is left out of EUR figures for 2023 until you add a row currency=SEK, " \
           "year=2023, units_per_eur=<ECB annual mean>, source=<where from>; expected a row for SEK 2023" in warnings
    assert not any("exchange_rates" in e for e in errors)
    assert [e.split(",")[0] for e in warnings if "exchange_rates" in e] == [
        "data/reference/exchange_rates.csv:3", "data/reference/exchange_rates.csv:4",
        "data/reference/exchange_rates.csv:5"]


def test_price_index_missing_for_a_year(tmp_path):
    root = _workspace(tmp_path)
    _drop_rows(root / "data/reference/price_index.csv", lambda l: ",2020," not in l)
    _, errors, warnings = _check(root)
    assert errors == []
    assert "data/reference/price_index.csv:5, column 'index': no price index (HICP) for DE 2020 (used by " \
           f"{M}/haushalt_wide.csv:2): musterstadt is left out of figures at constant prices for 2020 until you add " \
           "a row country=DE, year=2020, index=<annual mean, 2015 = 100>, base_year=2015, series=HICP, " \
           "definition=<what the series is>, source=<where from>; expected a row for DE 2020" in warnings


def test_unknown_document(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "indicators.csv", 2, "document_id", "musterstadt-haushalt-2030")
    _, errors, _ = _check(root)
    assert errors == [f"{M}/indicators.csv:2, column 'document_id': unknown document; expected a document_id listed "
                      "in this folder's documents.csv (musterstadt-haushalt-2023, musterstadt-haushalt-2022), "
                      "found 'musterstadt-haushalt-2030'"]


def test_metadata_errors_name_the_line(tmp_path):
    root = _workspace(tmp_path)
    yml = root / M / "municipality.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("currency: EUR", "currency: XYZ"), encoding="utf-8")
    _, errors, _ = _check(root)
    assert errors == [f"{M}/municipality.yml:7, column 'currency': not an ISO 4217 currency code; expected three "
                      "capital letters like EUR, DKK, SEK, found 'XYZ'"]


def test_documents_list_must_stay_comma_separated(tmp_path):
    root = _workspace(tmp_path)
    d = root / M / "documents.csv"
    d.write_text(d.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    _, errors, _ = _check(root)
    assert f"{M}/documents.csv:1, column '(whole file)': documents.csv must be ','-separated UTF-8; expected ',' and UTF-8 (save as " \
           "'CSV UTF-8'), found \"';', UTF-8\"" in errors


def test_all_errors_of_all_files_at_once_and_exit_code(tmp_path, capsys):
    root = _workspace(tmp_path)
    _edit(root / M / "budget.csv", 3, "level", "produkt")
    _edit(root / M / "indicators.csv", 3, "value", "viel")
    _edit(root / M / "goals.csv", 3, "status", "met")
    _drop_rows(root / "data/reference/price_index.csv", lambda l: ",2023," not in l)
    report, errors, warnings = _check(root)
    files = {e.split(":")[0] for e in errors}
    assert files == {f"{M}/budget.csv", f"{M}/indicators.csv", f"{M}/goals.csv"}
    assert len(errors) == 3
    assert any(w.startswith("data/reference/price_index.csv") for w in warnings)  # a warning now, never an error
    assert cli.main(["--root", str(root), "validate", "musterstadt"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("musterstadt: ") and f"error: {M}/budget.csv:3, column 'level'" in out
    assert f"error: {M}/goals.csv:3, column 'status'" in out


def test_warnings_do_not_fail_and_all_municipalities_are_checked(tmp_path, capsys):
    root = _workspace(tmp_path)
    _drop_rows(root / "data/reference/population.csv", lambda l: ",2023," not in l)
    shutil.copytree(ROOT / "data/municipalities/peine", root / "data/municipalities/peine")
    assert cli.main(["--root", str(root), "validate"]) == 0
    out = capsys.readouterr().out
    assert "musterstadt: 0 errors, 1 warning" in out and "peine: 0 errors, 0 warnings" in out
    assert "2 municipalities: 0 errors, 1 warning" in out


def test_unknown_municipality(tmp_path):
    report = validate.check("nowhere", _workspace(tmp_path))
    assert str(report.errors[0]).startswith("data/municipalities/nowhere, column 'ID': no such municipality; "
                                            "expected one of musterstadt")


def test_the_five_builtin_municipalities_validate():
    reports = validate.check_all(ROOT)
    builtin = {r.municipality_id: r for r in reports}
    for mid in ("aalborg", "berlin-neukoelln", "magdeburg", "peine", "segeberg"):
        assert builtin[mid].errors == [], mid
        assert "no tables in this folder: its figures come from the importers" in builtin[mid].notes[0]


def test_a_country_without_a_budget_scheme_is_a_warning(tmp_path):
    root = _workspace(tmp_path)
    (root / "data/reference/schemes.csv").write_text(
        "country,scheme,description,source\nDK,dk_kontoplan,Danish kontoplan,test\n", encoding="utf-8")
    report, errors, warnings = _check(root)
    assert errors == [] and len(warnings) == 1
    assert warnings[0].startswith("data/reference/schemes.csv:3, column 'scheme': no budget-item scheme for "
                                  "country DE: budget items get a category only where the table gives one; "
                                  "add a row country=DE, scheme=")


def test_duplicate_goal_id_is_reported_once(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "goals.csv", 4, "goal_id", "musterstadt-2023-01")
    _, errors, _ = _check(root)
    assert errors == [f"{M}/goals.csv:4, column 'goal_id': duplicate row (goal_id=musterstadt-2023-01); same key as "
                      f"{M}/goals.csv:2; expected each key once"]


def test_only_goals_or_only_budget_validate(tmp_path):
    root = _workspace(tmp_path / "goals")
    yml = root / M / "municipality.yml"
    yml.write_text(yml.read_text(encoding="utf-8").split("  wide:")[0], encoding="utf-8")
    (root / M / "budget.csv").unlink()
    (root / M / "indicators.csv").unlink()
    _drop_rows(root / "data/reference/price_index.csv", lambda l: l.startswith("country"))  # no years: not needed
    report, errors, warnings = _check(root)
    assert errors == [] and warnings == [] and report.ok
    root = _workspace(tmp_path / "budget")
    (root / M / "goals.csv").unlink()
    (root / M / "indicators.csv").unlink()
    report, errors, warnings = _check(root)
    assert errors == [] and report.ok
    assert warnings == [f"{M}/municipality.yml:13, column 'input.files.goals.csv': options given for a file that "
                        "does not exist; expected a file in this folder, found 'goals.csv'"]


def test_a_document_without_a_date_warns(tmp_path):
    root = _workspace(tmp_path)
    _edit(root / M / "documents.csv", 2, "date", "")
    report, errors, warnings = _check(root)
    assert errors == [] and report.ok
    assert f"{M}/documents.csv:2, column 'date': the document has no date: the methods page and the profile list " \
           "it without one; expected the date of the council decision or publication (YYYY-MM-DD)" in warnings
