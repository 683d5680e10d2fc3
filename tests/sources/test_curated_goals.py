"""Tests of the curated goals (data/curated/goals/*.yml) and their loader (importers/curated_goals.py)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.contract import schema
from analysis.contract.errors import InputError
from analysis.sources.importers import curated_goals as cg

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
GOALS = ROOT / "data" / "curated" / "goals"
DOCS = pd.read_csv(RAW / "documents.csv", dtype=str)
DOC_MAP = {r["document_id"]: r for r in DOCS.to_dict("records")}
MUNICIPALITIES = ["aalborg", "berlin-neukoelln", "magdeburg", "peine", "segeberg"]


def _raw_lines(document_id: str) -> list[str]:
    return (RAW / DOC_MAP[document_id]["path"]).read_text(encoding="utf-8").split("\n")


def _records(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def goals() -> pd.DataFrame:
    return cg.load_all(GOALS, DOC_MAP, RAW)


def _row(goals: pd.DataFrame, raw_file: str, line: int) -> pd.DataFrame:
    return goals[goals["source_ref"] == f"{raw_file}:{line}"]


# --- the key test: every quote is verbatim on its line --------------------------------------------

def test_one_file_per_municipality():
    assert sorted(p.stem for p in cg.files(GOALS)) == MUNICIPALITIES


@pytest.mark.parametrize("municipality", MUNICIPALITIES)
def test_every_quote_is_verbatim_on_its_line(municipality):
    records = _records(GOALS / f"{municipality}.yml")
    assert len(records) >= 6
    for rec in records:
        lines = _raw_lines(rec["document_id"])
        assert 1 <= rec["line"] <= len(lines), rec["goal_id"]
        assert rec["quote"] in lines[rec["line"] - 1], (
            f"{rec['goal_id']}: quote not on line {rec['line']} of {DOC_MAP[rec['document_id']]['path']}")


def test_goal_ids_unique_across_files():
    ids = [rec["goal_id"] for p in cg.files(GOALS) for rec in _records(p)]
    assert len(ids) == len(set(ids)) == 70


# --- the loaded table -----------------------------------------------------------------------------

def test_loaded_table_meets_the_contract(goals):
    assert schema.problems(goals, "goals") == []
    assert len(goals) == 70
    assert goals["goal_id"].is_unique
    assert set(goals["municipality_id"]) == set(MUNICIPALITIES)
    assert goals.groupby("municipality_id").size().to_dict() == {
        "aalborg": 13, "berlin-neukoelln": 13, "magdeburg": 22, "peine": 6, "segeberg": 16}
    assert set(goals["perspective"]) <= set(cg.PERSPECTIVES)


def test_source_ref_points_at_the_quote(goals):
    for rec in goals.to_dict("records"):
        name, line = rec["source_ref"].rsplit(":", 1)
        assert name == Path(DOC_MAP[rec["document_id"]]["path"]).name
        assert rec["quote"] in _raw_lines(rec["document_id"])[int(line) - 1]


def test_qualitative_goals_carry_no_numbers(goals):
    qual = goals[~goals["quantified"]]
    assert qual[["target", "result", "achievement_reported", "achievement"]].isna().all().all()
    assert len(goals[goals["quantified"]]) == 4  # Magdeburg 2.c, Segeberg 20 min, half, freeze


def test_segeberg_travel_time_ceiling(goals):
    row = _row(goals, "segeberg_sozialraumorientierung_2011.txt", 51).iloc[0]
    assert (row["target"], row["unit"], row["direction"]) == (20.0, "minutes", "lower_is_better")
    assert row["quantified"] and row["status"] == "pending" and pd.isna(row["result"])
    assert row["perspective"] == "client"


def test_segeberg_seven_goals_and_budget_freeze(goals):
    seg = goals[goals["municipality_id"] == "segeberg"]
    assert sorted(seg[seg["item_code"].str.startswith("I.", na=False)]["source_ref"].str.split(":").str[1]
                  .astype(int)) == list(range(37, 44))
    freeze = _row(goals, "segeberg_sozialraumorientierung_2011.txt", 88).iloc[0]
    assert freeze["quantified"] and pd.isna(freeze["target"]) and freeze["status"] == "pending"
    assert (freeze["perspective"], freeze["goal_type"]) == ("economic", "input")
    assert "3632" in freeze["metric"] and "2011" in freeze["note"]
    half = _row(goals, "segeberg_sozialraumorientierung_2011.txt", 77).iloc[0]
    assert half["target"] == 50.0 and half["direction"] == "higher_is_better"


def test_neukoelln_quality_standards_have_no_target(goals):
    std = goals[goals["source_ref"].isin(
        [f"neukoelln_zielvereinbarung_soziale_wohnhilfen_2024.txt:{n}" for n in (51, 53, 55, 57, 59)])]
    assert len(std) == 5
    assert set(std["status"]) == {"no_target"}
    assert set(std["perspective"]) == {"client"}
    assert set(std["perspective_original"]) == {"Klientinnen- bzw. Klientenperspektive"}
    assert std["target"].isna().all() and not std["quantified"].any()


def test_neukoelln_four_steering_fields(goals):
    fields = goals[goals["source_ref"].isin(
        [f"neukoelln_zielvereinbarung_soziale_wohnhilfen_2024.txt:{n}" for n in (37, 39, 41, 43)])]
    assert dict(zip(fields["perspective"], fields["perspective_original"])) == {
        "client": "Klientinnen- bzw. Klientenperspektive",
        "staff": "Mitarbeitendenperspektive",
        "economic": "Wirtschaftlichkeit (wirtschaftlicher Ressourceneinsatz)",
        "legal": "Rechtskonformität",
    }
    assert set(fields["status"]) == {"no_target"}
    follow_up = goals[goals["goal_id"] == "berlin-neukoelln-12"].iloc[0]
    assert (follow_up["target_year"], follow_up["status"]) == (2026, "pending")


def test_magdeburg_three_strategic_objectives(goals):
    mag = goals[goals["municipality_id"] == "magdeburg"]
    top = mag[mag["item_code"].isin(["1", "2", "3"])]
    assert len(top) == 3
    assert list(top["source_ref"].str.split(":").str[1].astype(int)) == [116, 123, 136]
    assert top["goal_type"].isin(schema.GOAL_TYPES).all()
    assert len(mag[mag["item_code"].str.match(r"^[123]\.[a-g]$", na=False)]) == 13  # 1.a-d, 2.a-g, 3.a-b
    cap = mag[mag["item_code"] == "2.c"].iloc[0]
    assert (cap["target"], cap["direction"], cap["status"]) == (2.0, "lower_is_better", "pending")
    foster = mag[mag["item_code"] == "2.f"].iloc[0]
    assert not foster["quantified"] and pd.isna(foster["target"]) and foster["direction"] == "higher_is_better"


def test_aalborg_statuses_and_duplicate_line(goals):
    aal = goals[goals["municipality_id"] == "aalborg"].set_index("goal_id")
    assert aal.loc[["aalborg-narr-01", "aalborg-narr-02", "aalborg-narr-03", "aalborg-narr-04"], "status"].tolist() == [
        "missed", "met", "missed", "not_measured"]
    lines = aal["source_ref"].str.split(":").str[1].astype(int)
    assert 604 in set(lines) and 606 not in set(lines)  # line 606 repeats line 604
    assert "606" in aal.loc["aalborg-narr-08", "note"]
    assert aal.loc["aalborg-narr-11", "status"] == "met"   # health-data system, line 336
    assert aal.loc["aalborg-narr-12", "status"] == "partly"  # DUBU only after May 2015


def test_peine_narrative_goals_are_forecasts(goals):
    pei = goals[goals["municipality_id"] == "peine"]
    assert 4 <= len(pei) <= 8 and pei["goal_id"].str.startswith("peine-narr-").all()
    assert set(pei["result_phase"]) == {"forecast"}
    by_line = dict(zip(pei["source_ref"].str.split(":").str[1].astype(int), pei["status"]))
    assert by_line == {31: "partly", 51: "partly", 65: "pending", 67: "pending", 69: "pending", 77: "met"}


def test_achievement_ratio():
    assert cg.achievement(20, 10, "lower_is_better") == 200.0
    assert cg.achievement(50, 25, "higher_is_better") == 50.0
    assert cg.achievement(50, 25, "none") is None
    assert cg.achievement(None, 25, "higher_is_better") is None


# --- error paths ----------------------------------------------------------------------------------

RECORD = """\
# test file
- goal_id: segeberg-test-01
  document_id: segeberg-drs-2011-054
  goal: Wegezeit höchstens ca. 20 Minuten
  goal_en: Travel time at most about 20 minutes
  perspective: {perspective}
  goal_type: output
  unit: minutes
  direction: lower_is_better
  target: {target}
  result: {result}
  result_phase: {phase}
  achievement_reported: null
  status: {status}
  quantified: {quantified}
  quote: '{quote}'
  line: {line}
"""
QUOTE = "wird in keinem Fall mehr als ca. 20 Minuten betragen."


def _write(tmp_path: Path, name: str = "segeberg.yml", **kw) -> Path:
    values = dict(perspective="client", target=20, result="null", phase="null", status="pending",
                  quantified="true", quote=QUOTE, line=51) | kw
    path = tmp_path / name
    path.write_text(RECORD.format(**values), encoding="utf-8")
    return path


def _key_line(path: Path, key: str) -> int:
    return next(i for i, text in enumerate(path.read_text().split("\n"), 1) if text.strip().startswith(key + ":"))


def test_valid_tmp_record_loads_and_computes_achievement(tmp_path):
    df = cg.load(_write(tmp_path, result=25, phase="actual", status="missed"), DOC_MAP, RAW)
    assert df.loc[0, "achievement"] == pytest.approx(80.0)
    assert df.loc[0, "source_ref"] == "segeberg_sozialraumorientierung_2011.txt:51"
    assert df.loc[0, "municipality_id"] == "segeberg"


def test_unknown_perspective_names_file_line_key_and_choices(tmp_path):
    path = _write(tmp_path, perspective="clients")
    with pytest.raises(InputError) as exc:
        cg.load(path, DOC_MAP, RAW)
    msg = str(exc.value)
    assert f"{path}:{_key_line(path, 'perspective')}" in msg
    assert "column 'perspective'" in msg and "'clients'" in msg
    assert "one of client, staff, economic, legal, process_quality" in msg
    assert "record 'segeberg-test-01' (starts line 2)" in msg


def test_quote_on_another_line_says_where(tmp_path):
    path = _write(tmp_path, line=52)
    with pytest.raises(InputError) as exc:
        cg.load(path, DOC_MAP, RAW)
    msg = str(exc.value)
    assert f"{path}:{_key_line(path, 'line')}" in msg
    assert "quote not found on line 52 of segeberg_sozialraumorientierung_2011.txt; it occurs on line 51" in msg


def test_quote_nowhere_in_the_file(tmp_path):
    path = _write(tmp_path, quote="wird in keinem Fall mehr als ca. 30 Minuten betragen.")
    with pytest.raises(InputError) as exc:
        cg.load(path, DOC_MAP, RAW)
    msg = str(exc.value)
    assert f"{path}:{_key_line(path, 'quote')}" in msg and "occurs nowhere in the file" in msg


def test_quote_with_other_whitespace_gets_a_hint(tmp_path):
    path = _write(tmp_path, quote="wird in keinem  Fall mehr als ca. 20 Minuten betragen.")
    with pytest.raises(InputError, match="differing only in whitespace or quote characters is 51"):
        cg.load(path, DOC_MAP, RAW)


def test_unknown_key_missing_key_and_bad_values(tmp_path):
    path = _write(tmp_path, status="done\n  colour: red", quantified="yes please")
    text = path.read_text().replace("  goal_type: output\n", "")
    path.write_text(text)
    with pytest.raises(InputError) as exc:
        cg.load(path, DOC_MAP, RAW)
    msg = str(exc.value)
    assert "column 'colour'" in msg and "unknown key" in msg
    assert "column 'goal_type'" in msg and "required key is missing" in msg
    assert "column 'status'" in msg and "one of met, missed, partly, contradiction, no_target, not_measured, pending" in msg
    assert "column 'quantified'" in msg and "true or false" in msg


def test_unknown_document_and_wrong_file(tmp_path):
    path = _write(tmp_path)
    path.write_text(path.read_text().replace("segeberg-drs-2011-054", "segeberg-drs-2099-001"))
    with pytest.raises(InputError, match=r"unknown document; expected one of aalborg-regnskab-2014"):
        cg.load(path, DOC_MAP, RAW)
    other = _write(tmp_path, name="peine.yml")
    with pytest.raises(InputError, match="document belongs to segeberg, not to this file"):
        cg.load(other, DOC_MAP, RAW)


def test_frame_rules(tmp_path):
    with pytest.raises(InputError, match="quantified: false carries no figures"):
        cg.load(_write(tmp_path, quantified="false"), DOC_MAP, RAW)
    with pytest.raises(InputError, match="status disagrees with target 20 and result 25"):
        cg.load(_write(tmp_path, result=25, phase="actual", status="met"), DOC_MAP, RAW)
    with pytest.raises(InputError, match="a result needs its phase"):
        cg.load(_write(tmp_path, result=15, status="met"), DOC_MAP, RAW)
    with pytest.raises(InputError, match="status no_target with a target"):
        cg.load(_write(tmp_path, status="no_target"), DOC_MAP, RAW)


def test_duplicate_goal_id_across_files(tmp_path):
    _write(tmp_path)
    (tmp_path / "magdeburg.yml").write_text(
        (GOALS / "magdeburg.yml").read_text(encoding="utf-8").replace("magdeburg-01", "segeberg-test-01", 1),
        encoding="utf-8")
    with pytest.raises(InputError, match="goal_id already used in magdeburg.yml"):
        cg.load_all(tmp_path, DOC_MAP, RAW)


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "segeberg.yml"
    path.write_text("- goal_id: x\n  note: a: b\n")
    with pytest.raises(InputError, match=r"segeberg.yml:2: not valid YAML"):
        cg.load(path, DOC_MAP, RAW)


def test_registry_style_paths_resolve(tmp_path):
    """extract passes registry.documents() rows, whose path is relative to the repo root."""
    docs = {k: dict(v, path=f"data/raw/{v['path']}") for k, v in DOC_MAP.items()}
    df = cg.load(GOALS / "segeberg.yml", docs, RAW)
    assert len(df) == 16


def test_all_problems_of_a_record_reported_at_once(tmp_path):
    path = _write(tmp_path, perspective="citizens", line=50)
    with pytest.raises(InputError) as exc:
        cg.load(path, DOC_MAP, RAW)
    assert len(exc.value.problems) == 2
    assert {p.column for p in exc.value.problems} == {"perspective", "line"}


def test_yaml_anchors_and_aliases_are_refused(tmp_path):
    """Issue 12: a "billion laughs" in a goals file stops with the line, before it expands."""
    from samples.hostile import bomb

    path = _write(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("- goal_id:", bomb(8).replace("\n", "\n  # ") + "\n- goal_id:", 0)
                    + "- " + bomb(8).replace("\n", "\n  ", 8).rstrip() + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        cg.load(path, DOC_MAP, RAW)
    assert "YAML anchors and aliases (&l0 at line" in str(exc.value) and "are not allowed in segeberg.yml" in str(exc.value)


def _with_reported(path: Path, reported) -> Path:
    path.write_text(path.read_text().replace("achievement_reported: null", f"achievement_reported: {reported}"))
    return path


def test_status_contradiction_needs_a_printed_degree_that_disagrees(tmp_path):
    # lower_is_better: target 20, result 25 -> 80 %; printed 140 % contradicts it
    ok = _with_reported(_write(tmp_path, result=25, phase="actual", status="contradiction"), 140)
    assert cg.load(ok, DOC_MAP, RAW).loc[0, "status"] == "contradiction"
    wrong = _with_reported(_write(tmp_path, result=25, phase="actual", status="missed"), 140)
    with pytest.raises(InputError) as exc:
        cg.load(wrong, DOC_MAP, RAW)
    assert "the printed degree 140 % contradicts target 20 and result 25 (80.0 %)" in str(exc.value)
    assert "expected contradiction" in str(exc.value)
    agrees = _with_reported(_write(tmp_path, result=25, phase="actual", status="contradiction"), 80)
    with pytest.raises(InputError, match="status contradiction needs a printed degree"):
        cg.load(agrees, DOC_MAP, RAW)
