"""Tests for the Aalborg accounts importer; every figure is read from data/raw/aalborg_regnskab_2014_fb.txt."""
import csv
import math
import re
from pathlib import Path

import pytest

from analysis.contract import schema
from analysis.contract.errors import InputError
from analysis.contract.numbers import parse_number
from analysis.sources.importers import aalborg_accounts

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data/raw/aalborg_regnskab_2014_fb.txt"
LINES = RAW.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def document():
    with open(ROOT / "data/raw/documents.csv", encoding="utf-8") as fh:
        return next(r for r in csv.DictReader(fh) if r["document_id"] == "aalborg-regnskab-2014")


@pytest.fixture(scope="module")
def result(document):
    return aalborg_accounts.extract(RAW, document)


@pytest.fixture(scope="module")
def tables(result):
    return {name: result.table(name) for name in schema.TABLES if hasattr(result, name)}


def one(df, **where):
    sel = df
    for col, val in where.items():
        sel = sel[sel[col].isna()] if val is None else sel[sel[col] == val]
    assert len(sel) == 1, f"{len(sel)} rows for {where}"
    return sel.iloc[0]


def line_of(ref: str) -> int:
    return int(ref.rsplit(":", 1)[1].split("-")[0])


def printed_numbers(line: str) -> list[float]:
    out = []
    for cell in line.split("\t"):
        try:
            v = parse_number(cell, "da")
        except InputError:
            continue
        if v is not None:
            out.append(v)
    return out


# ---- contract ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["budget", "budget_changes", "indicators", "goals", "quality"])
def test_tables_meet_the_contract(tables, name):
    assert len(tables[name]) > 0
    assert schema.problems(tables[name], name) == []


def test_fixed_conventions(tables):
    b = tables["budget"]
    assert set(b["currency"]) == {"DKK"} and set(b["period"]) == {"2014"} and set(b["fiscal_year"]) == {2014}
    assert set(b["economic_type"]) == {"all"}
    assert set(b["source_unit"]) == {"1.000 kr.", "mio. kr."}
    assert set(b["budget_type"].dropna()) == {"operating", "capital"}
    assert set(b.loc[b["budget_type"] == "capital", "budget_group"]) == {"anlaeg"}


# ---- sector tables (1.000 kr.) -----------------------------------------------------------
def test_children_and_young_people_service_expenditure(tables):
    b = tables["budget"]
    key = dict(org_unit="Børn og Unge", item_code="BU.serviceudgifter", level="line")
    assert one(b, **key, item_name="Udgifter", phase="actual")["amount"] == 1_956_763_000
    assert one(b, **key, item_name="Udgifter", phase="original_budget")["amount"] == 1_914_428_000
    assert one(b, **key, item_name="Udgifter", phase="adjusted_budget")["amount"] == 1_906_915_000
    income = one(b, **key, item_name="Indtægter", phase="actual")
    assert income["amount"] == 318_480_000 and income["direction"] == "revenue"
    assert income["revenue_kind"] == "income" and income["source_ref"] == "aalborg_regnskab_2014_fb.txt:99"
    refund = one(b, **key, item_name="Refusion", phase="actual")
    assert refund["amount"] == 1_388_000 and refund["revenue_kind"] == "reimbursement"
    assert one(b, **key, item_name="Netto", phase="actual")["amount"] == 1_636_895_000


def test_empty_cells_are_missing_not_zero(tables):
    b = tables["budget"]
    row = one(b, item_code="VB.serviceudgifter", item_name="Indtægter", phase="original_budget")
    assert math.isnan(row["amount"]) and row["source_ref"].endswith(":394")
    # a printed 0 stays 0
    assert one(b, item_code="BU.budgetgaranterede", item_name="Indtægter", phase="actual")["amount"] == 0


def test_printed_positive_income_becomes_negative_revenue_with_a_warning(tables):
    b, q = tables["budget"], tables["quality"]
    row = one(b, item_code="VB.beskaeftigelsestilskud", item_name="Indtægter", phase="actual")
    assert row["amount"] == -21_765_000 and "positive income" in row["note"]
    act = one(b, item_code="VB.forsoergelse_forsikrede_ledige", direction="revenue", phase="actual")
    assert act["amount"] == -21_800_000
    for ref in (":404", ":467", ":640"):
        assert ((q["source_ref"].str.endswith(ref)) & (q["status"] == "warning")
                & q["check"].str.contains("income printed positive")).any(), ref


def test_sector_total_of_line_407_is_reported_as_contradiction(tables):
    q = tables["quality"]
    rows = q[q["source_ref"].str.endswith(":407") & (q["status"] == "contradiction")]
    found = set(zip(rows["expected"], rows["found"]))
    assert ("1,834,567,000", "1,696,234,000") in found
    assert ("1,840,454,000", "1,693,234,000") in found
    # the actual column adds up
    ok = q[q["source_ref"].str.endswith(":407") & q["check"].str.contains(r"\(Regnskab\)")]
    assert list(ok["status"]) == ["pass"]
    # the budget row keeps the printed figure
    b = tables["budget"]
    assert one(b, item_code="VB", item_name="Sektor i alt", phase="original_budget")["amount"] == 1_696_234_000


def test_group_nets_add_up_elsewhere(tables):
    q = tables["quality"]
    for ref in (":107", ":112", ":587", ":728"):
        rows = q[q["source_ref"].str.endswith(ref) & q["check"].str.contains("group nets sum to")]
        assert len(rows) == 4 and set(rows["status"]) == {"pass"}, ref


# ---- department overview (mio. kr.) -------------------------------------------------------
def test_overview_total_and_sector_nets(tables):
    b = tables["budget"]
    total = one(b, item_code="FB.drift", direction="net", phase="actual")
    assert total["amount"] == 5_083_000_000 and total["level"] == "total"
    assert total["source_ref"] == "aalborg_regnskab_2014_fb.txt:25"
    areas = b[(b["level"] == "area") & (b["source_unit"] == "mio. kr.") & (b["direction"] == "net")
              & (b["phase"] == "actual") & (b["budget_type"] == "operating")]
    assert set(areas["org_unit"]) == {"Børn og Unge", "Voksen - Beskæftigelsesudvalget",
                                      "Voksen - Familie- og Socialudvalget",
                                      "Borgerrettede rådgivnings- og vejledningsfunktioner samt administration"}
    # nine sector rows, each rounded to 0,1 mio. kr.
    assert abs(areas["amount"].sum() - 5_083_000_000) <= len(areas) * 50_000
    # the sector tables (1.000 kr.) agree: BU, VF net operating totals, VB and ADM sector totals
    sectors = (one(b, item_code="BU.nettodrift", phase="actual")["amount"]
               + one(b, item_code="VB", phase="actual")["amount"]
               + one(b, item_code="VF.nettodrift", phase="actual")["amount"]
               + one(b, item_code="ADM", phase="actual")["amount"])
    assert sectors == 5_082_975_000
    assert abs(sectors - total["amount"]) <= 50_000


def test_overview_truncated_sector_name_is_completed(tables):
    row = one(tables["budget"], item_code="ADM.serviceudgifter", direction="expenditure", phase="actual",
              source_unit="mio. kr.")
    assert row["item_name"] == "Borgerrettede rådgivnings- og"
    assert row["org_unit"] == "Borgerrettede rådgivnings- og vejledningsfunktioner samt administration"
    assert row["amount"] == 471_500_000


def test_overview_matches_sector_tables_except_rounding_of_line_15(tables):
    q = tables["quality"]
    rows = q[q["check"].str.startswith("overview vs sector table")]
    assert len(rows) > 50
    bad = rows[rows["status"] != "pass"]
    assert set(bad["source_ref"]) == {"aalborg_regnskab_2014_fb.txt:15"}


# ---- budget changes -------------------------------------------------------------------------
def test_budget_changes_sum_to_corrected_minus_original(tables):
    b, c = tables["budget"], tables["budget_changes"]
    key = dict(item_code="BU.serviceudgifter", item_name="Netto")
    delta = one(b, **key, phase="adjusted_budget")["amount"] - one(b, **key, phase="original_budget")["amount"]
    changes = c[(c["org_unit"] == "Børn og Unge") & (c["budget_group"] == "serviceudgifter")]
    assert delta == 9_603_000
    assert changes.loc[changes["direction"] == "net", "amount"].sum() == delta
    exp = one(b, item_code="BU.serviceudgifter", item_name="Udgifter", phase="adjusted_budget")["amount"] \
        - one(b, item_code="BU.serviceudgifter", item_name="Udgifter", phase="original_budget")["amount"]
    assert changes.loc[changes["direction"] == "expenditure", "amount"].sum() == exp
    technical = changes[changes["change"] == "Teknisk tillægsbevilling"].set_index("direction")["amount"]
    assert technical["expenditure"] == -17_471_000 and technical["revenue"] == -17_471_000
    assert technical["net"] == 0


def test_budget_change_contradictions(tables):
    q = tables["quality"]
    bad = q[q["status"] == "contradiction"]
    at_620 = bad[bad["source_ref"].str.endswith(":620")]
    assert ("158,078,000", "158,079,000") in set(zip(at_620["expected"], at_620["found"]))
    assert ("196,785,000", "196,784,000") in set(zip(at_620["expected"], at_620["found"]))
    at_428 = bad[bad["source_ref"].str.endswith(":428")]
    assert ("193,086,000", "190,604,000") in set(zip(at_428["expected"], at_428["found"]))
    ok = q[q["source_ref"].str.endswith(":613") & q["check"].str.contains("Indtægter \\+ Refusion")]
    assert list(ok["status"]) == ["pass"]


# ---- activities (mio. kr.) -----------------------------------------------------------------------
def test_daycare_activity(tables):
    b = tables["budget"]
    key = dict(item_code="BU.dagpleje_og_daginstitutioner", level="product")
    assert one(b, **key, direction="expenditure", phase="actual")["amount"] == 1_207_200_000
    assert one(b, **key, direction="revenue", phase="actual")["amount"] == 237_700_000
    assert one(b, **key, direction="expenditure", phase="original_budget")["amount"] == 1_213_900_000


def test_activity_quirks(tables):
    b, q = tables["budget"], tables["quality"]
    assert not b["item_name"].isin(["I alt", "...", "I alt driftsaktiviteter"]).any()
    # line 449's extra '1000' column is ignored: the first VB activity reads 9,7 mio. kr.
    assert one(b, item_code="VB.fritoptag_paa_produktionskoler", direction="expenditure",
               phase="original_budget")["amount"] == 9_700_000
    # line 640: empty corrected income is missing
    assert math.isnan(one(b, item_code="VF.stoett_kontaktpersoner_og_midlertidig_ophold", direction="revenue",
                          phase="adjusted_budget")["amount"])
    # line 658: printed positive corrected income, contradicting the sector table (line 584)
    assert one(b, item_code="VF.omraader_med_100_refusion", direction="revenue",
               phase="adjusted_budget")["amount"] == -149_000_000
    statuses = lambda ref: set(q.loc[q["source_ref"].str.endswith(ref), "status"])  # noqa: E731
    assert "contradiction" in statuses(":658") and "contradiction" in statuses(":659")
    three = q[q["source_ref"].str.endswith(":648") & q["check"].str.contains("3 decimals")]
    assert set(three["found"]) == {"231,843", "196,785"} and set(three["status"]) == {"warning"}
    assert "info" in statuses(":656") and "info" in statuses(":647") and "info" in statuses(":774")
    assert "warning" in statuses(":649")


def test_activity_totals_are_checked(tables):
    q = tables["quality"]
    # line 160 agrees with the sector table (lines 98-101) within the rounding of its eight rows
    rows = q[q["source_ref"].str.endswith(":160") & q["check"].str.contains("vs sector table")]
    assert len(rows) == 7 and set(rows["status"]) == {"pass"}
    # lines 470 and 659 add up all groups, within the table and against the sector table
    for ref in (":470", ":659"):
        rows = q[q["source_ref"].str.endswith(ref) & q["check"].str.contains("group totals sum")]
        assert len(rows) == 7 and set(rows["status"]) == {"pass"}, ref
        assert rows["detail"].str.startswith("composition 'all groups': ").all(), ref
    # the administration activities print Afvigelse with the opposite sign
    rev = q[q["detail"].fillna("").str.contains("sign is reversed")]
    assert set(rev["source_ref"].map(line_of)) == {766, 767, 768, 769, 770, 772, 773, 775}


def test_line_167_amounts_leave_out_budgetgaranterede_its_afvigelse_does_not(tables):
    q = tables["quality"]
    at167 = q[q["source_ref"].str.endswith(":167")]
    for kind in ("group totals sum", "vs sector table"):
        rows = at167[at167["check"].str.contains(kind)]
        assert len(rows) == 7, kind
        bad = rows[rows["status"] == "contradiction"]
        assert len(bad) == 2 and (rows["status"] == "pass").sum() == 5, kind
        ok = rows[rows["status"] == "pass"]
        assert ok["detail"].str.contains("composition '[^']*except budgetgaranterede'").all(), kind
        # the original budget's Indtægt matches neither composition (line 166 leaves the refund of line 165 out)
        orig = bad[bad["check"].str.contains("Oprindeligt budget")]
        assert len(orig) == 1 and orig["check"].str.contains("Indtægt").all()
        assert orig["detail"].str.contains("no composition matches").all()
        # the Afvigelse includes the budgetgaranterede group: one row, not one per column
        mixed = bad[bad["detail"].str.startswith("the row mixes compositions")]
        assert len(mixed) == 1 and "Afvigelse netto" in mixed["check"].iloc[0], kind
        assert "leave out the budgetgaranterede group (line 163), Afvigelse netto includes it" \
            in mixed["detail"].iloc[0]
    actual = one(q, check="activities BU: group totals sum to 'I alt driftsaktiviteter' [Regnskab Udgift]")
    assert (actual["expected"], actual["found"], actual["status"]) == ("1,956,700,000", "1,956,700,000", "pass")
    income = one(q, check="activities BU: group totals sum to 'I alt driftsaktiviteter' [Regnskab Indtægt]")
    assert (income["expected"], income["status"]) == ("-346,500,000", "pass")  # -319,9 + -26,6
    orig = one(q, check="activities BU: group totals sum to 'I alt driftsaktiviteter' [Oprindeligt budget Indtægt]")
    assert (orig["expected"], orig["found"], orig["status"]) == ("-301,700,000", "-265,300,000", "contradiction")
    assert "line 166 leaves Oprindeligt budget Indtægt empty while line 165 prints -36,4" in orig["detail"]
    afv = one(q, check="activities BU: group totals sum to 'I alt driftsaktiviteter' [Afvigelse netto]")
    assert (afv["expected"], afv["found"]) == ("-20,900,000", "-20,000,000")
    assert "-21,7 + 0,9 + 0,8" in afv["detail"]
    sector = one(q, check="activities BU vs sector table: Udgift (I alt driftsaktiviteter vs operating groups, "
                          "Regnskab)")
    assert sector["status"] == "pass" and "less the activity table's budgetgaranterede group (line 163)" \
        in sector["detail"]
    # the budget keeps the printed figures; the table total is no budget row
    b = tables["budget"]
    assert not b["source_ref"].str.endswith(":167").any()


def test_a_total_column_matching_no_composition_is_a_contradiction(tmp_path, document):
    path = corrupt(tmp_path, 470, "2.714,8", "2.614,8")
    q = aalborg_accounts.extract(path, document).table("quality")
    rows = q[q["source_ref"].str.endswith(":470") & q["check"].str.contains("group totals sum")]
    assert (rows["status"] == "pass").sum() == 6
    bad = one(rows, status="contradiction")
    assert bad["check"].endswith("[Regnskab Udgift]") and "no composition matches" in bad["detail"]
    assert bad["detail"].startswith("composition 'all groups': ")


# ---- indicators --------------------------------------------------------------------------------
def test_indicators(tables):
    i = tables["indicators"]
    cov = i[i["indicator"] == "Dækningsgrad 0-2 år"].set_index("phase")
    assert cov.loc["actual", "value"] == 72.6 and cov.loc["original_budget", "value"] == 71.9
    assert set(cov["unit"]) == {"percent"}
    flex = i[i["indicator"] == "Antal personer i fleksjob"].set_index("phase")["value"]
    assert flex["actual"] == 1796 and flex["original_budget"] == 1900
    stampe = i[(i["indicator"].str.endswith(": Stampe")) & (i["phase"] == "actual")].set_index("indicator")["value"]
    assert stampe["Pladser: Stampe"] == 15.0 and stampe["Belægning borgere fra Aalborg Kommune: Stampe"] == 13.0
    fte = one(i, indicator="Personalenormering: I alt", phase="actual")
    assert fte["value"] == pytest.approx(907.31) and fte["unit"] == "FTE"
    assert set(i["fiscal_year"]) == {2014} and set(i["phase"]) == {"actual", "original_budget"}


def test_indicator_checks(tables):
    q = tables["quality"]
    cov = q[q["check"].str.startswith("indicators: Dækningsgrad")]
    assert len(cov) == 4 and set(cov["status"]) == {"pass"}
    assert "72.61" in set(cov["expected"]) and "101.01" in set(cov["expected"])
    fte = q[q["check"].str.contains("Personalenormering: I alt")]
    assert set(fte["found"]) == {"907.31", "860.59"} and set(fte["status"]) == {"pass"}


# ---- goals ------------------------------------------------------------------------------------
def test_goals(tables):
    g = tables["goals"].set_index("goal_id")
    youth = g.loc["aalborg-2014-g01"]
    assert (youth["target"], youth["result"], youth["baseline"]) == (4585, 4632, 4926)
    assert youth["status"] == "missed" and youth["direction"] == "lower_is_better"
    assert youth["achievement"] == pytest.approx(4585 / 4632 * 100, abs=0.05)
    assert youth["perspective"] == "client" and youth["source_ref"].endswith(":497")
    pension = g.loc["aalborg-2014-g02"]
    assert (pension["target"], pension["result"], pension["status"]) == (350, 242, "met")
    long_term = g.loc["aalborg-2014-g03"]
    assert (long_term["target"], long_term["result"], long_term["status"]) == (1423, 1556, "missed")
    placement = g.loc["aalborg-2014-g04"]
    assert (placement["target"], placement["result"], placement["status"]) == (225, 251, "met")
    crime = g.loc["aalborg-2014-g05"]
    assert (crime["target"], crime["result"], crime["status"], crime["target_year"]) == (9, 11, "pending", 2020)
    rule = g.loc["aalborg-2014-g06"]
    assert pd_isna(rule["target"]) and rule["result"] == 99.6 and rule["status"] == "no_target"
    assert not rule["quantified"]
    courses = g.loc["aalborg-2014-g07"]
    assert courses["target"] == 100 and pd_isna(courses["result"]) and courses["status"] == "pending"
    assert g["achievement_reported"].isna().all()


def pd_isna(v) -> bool:
    return v is None or v != v


def test_goal_quotes_are_verbatim(tables):
    for rec in tables["goals"].to_dict("records"):
        lo, _, hi = rec["source_ref"].split(":")[1].partition("-")
        text = " ".join(LINES[int(lo) - 1:int(hi or lo)])
        assert rec["quote"] in text and rec["goal"] in text, rec["goal_id"]


def test_text_checks(tables):
    q = tables["quality"]
    wrong = one(q, check="text: stated change 293 = 4.926 - 4.632")
    assert (wrong["expected"], wrong["found"], wrong["status"]) == ("294", "293", "contradiction")
    assert one(q, check="text: stated change 492 = 23.890 - 23.398")["status"] == "pass"
    units = q[q["check"].str.startswith("text: '") & (q["status"] == "warning")]
    assert set(units["source_ref"].map(line_of)) == {173, 779}
    assert "4,900,000" in set(units["expected"])


# ---- capital --------------------------------------------------------------------------------
def test_capital_projects(tables):
    b, q = tables["budget"], tables["quality"]
    proj = one(b, item_code="9305130012", phase="actual")
    assert proj["amount"] == 3_053_000 and proj["budget_type"] == "capital" and proj["level"] == "line"
    assert proj["org_unit"] == "Børn og Unge"
    mio = b[(b["budget_group"] == "anlaeg") & (b["source_unit"] == "mio. kr.") & (b["level"] == "line")]
    assert mio.loc[mio["phase"] == "adjusted_budget", "amount"].sum() == 14_400_000
    assert mio.loc[mio["phase"] == "actual", "amount"].sum() == 12_500_000
    numbers = q[q["check"].str.contains("project number in the remarks") & (q["status"] == "warning")]
    assert set(numbers["source_ref"].map(line_of)) == {804, 808}
    assert set(numbers["found"]) == {"9305130010", "9305130011"}


# ---- every figure is on its line -----------------------------------------------------------------
def test_every_figure_is_printed_on_its_source_line(tables):
    scale = {"1.000 kr.": 1_000, "mio. kr.": 1_000_000}
    for name in ("budget", "budget_changes"):
        for rec in tables[name].to_dict("records"):
            if pd_isna(rec["amount"]):
                continue
            printed = rec["amount"] / scale[rec["source_unit"]] * (-1 if rec["direction"] == "revenue" else 1)
            numbers = printed_numbers(LINES[line_of(rec["source_ref"]) - 1])
            assert any(abs(n - printed) < 1e-9 for n in numbers), (name, rec["source_ref"], printed, numbers)
    for rec in tables["indicators"].to_dict("records"):
        numbers = printed_numbers(LINES[line_of(rec["source_ref"]) - 1])
        assert rec["value"] in numbers, (rec["source_ref"], rec["value"], numbers)


# ---- bad input -------------------------------------------------------------------------------------
def corrupt(tmp_path, line: int, old: str, new: str) -> Path:
    lines = list(LINES)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path = tmp_path / RAW.name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_bad_number_names_file_line_and_column(tmp_path, document):
    path = corrupt(tmp_path, 98, "1.956.763", "1.956.76x")
    with pytest.raises(InputError) as exc:
        aalborg_accounts.extract(path, document)
    msg = str(exc.value)
    assert RAW.name in msg and ":98" in msg and "column 'Regnskab'" in msg and "1.956.76x" in msg


def test_unknown_row_label_is_an_error(tmp_path, document):
    path = corrupt(tmp_path, 156, "Dagpleje og daginstitutioner", "Dagpleje og vuggestuer")
    with pytest.raises(InputError) as exc:
        aalborg_accounts.extract(path, document)
    msg = str(exc.value)
    assert re.search(r"aalborg_regnskab_2014_fb\.txt:156, column 'label'", msg)
    assert "Dagpleje og vuggestuer" in msg and "expected one of" in msg


def test_wrong_column_count_is_an_error(tmp_path, document):
    path = corrupt(tmp_path, 193, "I alt\t4.549\t4.604", "I alt\t4.549\t4.604\t17")
    with pytest.raises(InputError) as exc:
        aalborg_accounts.extract(path, document)
    msg = str(exc.value)
    assert ":193" in msg and "expected 3 cells" in msg and "found '4 cells'" in msg


def test_stray_table_row_is_an_error(tmp_path, document):
    path = corrupt(tmp_path, 29, "Familie- og Beskæftigelsesforvaltningen varetager",
                   "Familie- og Beskæftigelsesforvaltningen\tvaretager")
    with pytest.raises(InputError, match=r":29, column 'cell 1': table row outside any known table"):
        aalborg_accounts.extract(path, document)
