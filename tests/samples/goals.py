"""Sample rows for the tests of goal_analysis and its charts (goal_analysis.py (and the goal caveats) on hand-built goals rows taken from the documents)."""
import pandas as pd

from analysis.contract import schema

P, A, N, S = ("peine_produktbericht_2024-06.txt", "aalborg_regnskab_2014_fb.txt",
              "neukoelln_zielvereinbarung_soziale_wohnhilfen_2024.txt", "segeberg_sozialraumorientierung_2011.txt")


def _goal(gid, mid, goal, perspective, gtype, direction, target, result, status, quantified, ref, unit=None,
          ach=None, reported=None, phase=None, baseline=None, code=None):
    return {"municipality_id": mid, "document_id": f"{mid}-doc", "goal_id": gid, "item_code": code, "goal": goal,
            "goal_en": goal + " (en)", "perspective": perspective, "goal_type": gtype, "metric": None, "unit": unit,
            "direction": direction, "target": target, "result": result, "result_phase": phase,
            "achievement_reported": reported, "achievement": ach, "status": status, "quantified": quantified,
            "quote": goal, "source_ref": ref, "baseline": baseline}


def goals():
    rows = [
        _goal("peine-3118-g1", "peine", "Anteil der Bescheiderteilung innerhalb von 14 Tagen bei Neuansträgen",
              "client", "process", "higher_is_better", 90, 76, "missed", True, f"{P}:293", "percent",
              ach=76 / 90, reported=84, phase="forecast", code="3118"),
        _goal("peine-3111-g1", "peine", "Anteil der Bescheiderteilung innerhalb von 14 Tagen bei Neuansträgen",
              "client", "process", "higher_is_better", 95, 100, "met", True, f"{P}:286", "percent",
              ach=100 / 95, reported=105, phase="forecast", code="3111"),
        _goal("aalborg-unge", "aalborg", "unge på offentlig forsørgelse", "client", "outcome", "lower_is_better",
              4585, 4632, "missed", True, f"{A}:497", "full-time persons", ach=4585 / 4632, phase="actual",
              baseline=4926),
        _goal("aalborg-ftp", "aalborg", "tilkendelser til førtidspension", "client", "outcome", "lower_is_better",
              350, 242, "met", True, f"{A}:499", "awards", ach=350 / 242, phase="actual", baseline=320),
        _goal("aalborg-misbrug", "aalborg", "Overholde behandlingsgarantien", "legal", "process", "none",
              None, None, "not_measured", False, f"{A}:601"),
        _goal("neukoelln-01", "berlin-neukoelln", "Sofortiges Tätigwerden bei Räumungsklagen", "client", "process",
              "none", None, None, "no_target", False, f"{N}:51"),
        _goal("segeberg-05", "segeberg", "Wegezeit höchstens ca. 20 Minuten", "client", "output", "lower_is_better",
              20, None, "pending", True, f"{S}:51", "minutes"),
    ]
    df = schema.conform(pd.DataFrame(rows), "goals")
    schema.validate(df, "goals")
    return df


IDS = ["peine", "magdeburg", "berlin-neukoelln", "aalborg", "segeberg"]
