"""scale_charts.py: every page's charts stay readable with 500 municipalities (built in memory)."""
import pandas as pd
import pytest
from samples import goals as goal_samples
from samples import indicators as indicator_samples
from samples import scale
from samples import spending as spending_samples

from analysis.compare import distribution, scope, spending
from analysis.compare import goal_analysis as ga
from analysis.compare import indicator_analysis as ia
from analysis.report import scale_charts as scc
from analysis.report import spending_charts as sc

N = 500
MAX_MARKS = 60   # the limit of marks per municipality axis
IDS, NAMES = scale.ids(N), scale.names(N)


def drawn_by_field(chart) -> dict[str, set]:
    """Per municipality field (id or name): its distinct values in every dataset of the spec."""
    out: dict[str, set] = {}
    for rows in chart.to_dict().get("datasets", {}).values():
        for r in rows:
            for key in ("municipality", "municipality_id"):
                if r.get(key) is not None:
                    out.setdefault(key, set()).add(r[key])
    return out


def municipalities_drawn(chart) -> int:
    return max((len(v) for v in drawn_by_field(chart).values()), default=0)


COMP = pd.DataFrame({"municipality_id": ["peine", "aalborg", "peine", "aalborg"],
                     "category": ["10.5", "10.5", "10.4", "10.4"],
                     "category_name_en": ["Unemployment", "Unemployment", "Family and children", "Family and children"],
                     "fiscal_year": [2024, 2014, 2024, 2014], "phase": ["forecast", "actual", "forecast", "actual"],
                     "value": [83.3, 1210.4, 1.4, 1213.1], "unit": "EUR per inhabitant"})
COVERAGE = pd.DataFrame({"municipality_id": ["peine", "aalborg", "peine", "aalborg"],
                         "document_id": ["p", "a", "p", "a"], "category": ["10.5", "10.5", "10.4", "10.4"],
                         "coverage": ["complete", "complete", "partial", "complete"], "share": [None] * 4,
                         "scope": [""] * 4, "evidence": ["f.txt:1"] * 4, "note": ["", "", "not itemised", ""]})


@pytest.fixture(scope="module")
def frames():
    """The compare results of the sample rows (two municipalities), cloned to 500 municipalities
    (computing them on 500 would test the compare layer's speed, not the charts)."""
    budget = spending_samples.budget()
    two = sorted(budget["municipality_id"].unique())
    goals = goal_samples.goals()
    # Peine 31198: 140 % printed for 35 of 50 (the README's example of a contradiction)
    goals = pd.concat([goals, goals.iloc[[0]].assign(goal_id="peine-31198", status="contradiction", target=50.0,
                                                     result=35.0, achievement_reported=140.0)], ignore_index=True)
    gnames = {m: m for m in goals["municipality_id"].unique()}
    ind = indicator_samples.indicators()
    pva = ia.plan_vs_actual(ind)
    c = scale.clone
    big_goals = c(goals, N, ("result",))
    return {
        "comp": c(spending.composition(budget, "division", value="amount"), N, ("value",)),
        "pvo": c(spending.plan_vs_outturn(budget, value="amount"), N, ("deviation_pct", "deviation", "outturn")),
        "items": c(spending.plan_vs_outturn(budget, "item", value="amount"), N, ("deviation", "deviation_pct")),
        "econ": c(spending.economic_composition(budget, two, value="amount"), N, ("share", "value")),
        "revenue": c(spending.revenue_vs_gross(budget, two, value="amount"), N, ("revenue_share",)),
        "goals": big_goals,
        "matrix": ga.perspective_matrix(big_goals, IDS, sorted(goals["perspective"].dropna().unique())),
        "measurable": c(ga.measurability(goals, sorted(gnames)), N, ("share_target", "share_result")),
        "missed": c(ga.missed(goals, gnames), N, ("achievement_pct",)),
        "contradictions": c(ga.contradictions(goals, gnames), N, ("achievement_pct",)),
        "timely": c(ia.timeliness(goals, gnames), N, ("result",)),
        "volumes": c(pva, N, ("deviation_pct", "realised")),
        "rates": c(ia.rates_per_1000(pva, indicator_samples.POP), N, ("realised_per_1000",)),
        "standing": scope.standing(c(COMP, N, ("value",)), c(COVERAGE, N), IDS[0], NAMES),
    }


def all_charts(f, highlight):
    return {"composition": scc.composition_chart(f["comp"], IDS, NAMES, highlight),
            "composition share": scc.composition_chart(f["comp"], IDS, NAMES, highlight, measure="share"),
            "deviation": scc.deviation_chart(f["pvo"], IDS, NAMES, highlight),
            "deviation by item": scc.deviation_chart(f["items"], IDS, NAMES, highlight, label="item"),
            "economic": scc.economic_chart(f["econ"], IDS, NAMES, highlight),
            "revenue": scc.revenue_chart(f["revenue"], IDS, NAMES, highlight),
            "matrix": scc.matrix_chart(f["matrix"], NAMES, highlight, IDS),
            "measurability": scc.measurability_chart(f["measurable"], IDS, NAMES, highlight),
            "achievement": scc.achievement_chart(f["goals"], NAMES, highlight, IDS),
            "missed": scc.missed_chart(f["missed"], IDS, NAMES, highlight),
            "contradictions": scc.contradiction_chart(f["contradictions"], NAMES, highlight),
            "timeliness": scc.timeliness_chart(f["timely"], IDS, NAMES, highlight),
            "volumes": scc.volume_chart(f["volumes"], IDS, NAMES, highlight),
            "rates": scc.rates_chart(f["rates"], IDS, NAMES, highlight),
            "standing": scc.standing_chart(f["standing"], IDS[0], IDS, NAMES)}


@pytest.mark.parametrize("highlight", [[], IDS[:3], IDS[:100]], ids=["none", "three", "a group of 100"])
def test_no_chart_draws_more_than_60_municipalities(frames, highlight):
    assert frames["comp"]["municipality_id"].nunique() == N
    drawn = all_charts(frames, highlight)
    counts = {name: municipalities_drawn(ch) for name, ch in drawn.items()}
    assert max(counts.values()) <= MAX_MARKS, counts
    if highlight == IDS[:3]:
        for name in ("composition", "deviation", "economic", "revenue", "measurability", "achievement",
                     "deviation by item", "volumes", "missed"):
            shown = drawn_by_field(drawn[name])["municipality"]       # the highlighted ones with data, one by one
            assert shown and shown <= {NAMES[m] for m in IDS[:3]}, name
    for ch in drawn.values():
        for rows in ch.to_dict().get("datasets", {}).values():
            assert len(rows) <= 5000                                 # Altair's row limit never reached


def test_the_count_sees_500_bars_in_the_charts_of_few_municipalities(frames):
    """The counting above can fail: the page's own chart with 500 municipalities draws 500."""
    assert municipalities_drawn(sc.composition_chart(frames["comp"], IDS, NAMES)) == N


def test_the_distribution_holds_every_other_municipality_and_the_right_median(frames):
    pvo = frames["pvo"]
    spec = scc.deviation_chart(pvo, IDS, NAMES, IDS[:2]).to_dict()
    boxes = [r for rows in spec["datasets"].values() for r in rows if "median" in r]
    d = pvo.dropna(subset=["deviation_pct"])
    d = d[~d["municipality_id"].isin(IDS[:2])]
    for box in boxes:
        same = d[(d["category"].fillna("").astype(str) + " " + d["category_name_en"].fillna("").astype(str)).str.strip()
                 == box["label"]]
        assert len(same), box
        assert box["n"] == same["municipality_id"].nunique() and box["median"] == pytest.approx(
            same["deviation_pct"].median())
    assert "2 highlighted against" in spec["title"]["text"]


def test_up_to_the_threshold_the_charts_are_the_pages_own():
    budget = spending_samples.budget()
    ids = ["peine", "aalborg"]
    comp = spending.composition(budget, "division", value="amount")
    assert scc.composition_chart(comp, ids, highlight=["peine"]).to_dict() == sc.composition_chart(comp, ids).to_dict()
    pvo = spending.plan_vs_outturn(budget, "item", value="amount")
    assert scc.deviation_chart(pvo, ids, label="item").to_dict() == sc.deviation_chart(pvo, ids, label="item").to_dict()
    assert not distribution.at_scale(comp) and distribution.THRESHOLD >= 25


def test_municipalities_without_the_figure_do_not_switch_to_the_distribution(frames):
    """500 municipalities in the table, but only 20 with an economic breakdown: the page's own chart."""
    econ = frames["econ"].copy()
    keep = set(IDS[:20])
    econ.loc[~econ["municipality_id"].isin(keep), "share"] = None
    spec = scc.economic_chart(econ, IDS, NAMES, IDS[:2]).to_dict()
    assert "highlighted against" not in str(spec["title"])
    assert len(drawn_by_field(scc.economic_chart(econ, IDS, NAMES, IDS[:2]))["municipality"]) <= 20
