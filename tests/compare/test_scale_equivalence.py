"""The group-by versions of caveats.subset, spending.composition, totals, revenue_vs_gross, plan_vs_outturn,
coverage, grand_total, profile.latest and goal_analysis.measurability (issue 13f: linear in rows) give exactly
what the loop versions (tests/compare/legacy_loops.py, the code before) gave: on the sample rows
and, marked slow, on the real municipalities' extracted tables in every parameter combination the
pages use."""
import legacy_loops as old
import pandas as pd
import pytest
from samples import spending as samples

from analysis import api
from analysis.compare import caveats, goal_analysis, profile, spending
from analysis.sources import extract

from conftest import copy_workspace


def _same(new: pd.DataFrame, was: pd.DataFrame, name: str = "") -> None:
    """Equal to the last bit (the pages must not change, not even in a float's last digit)."""
    try:
        pd.testing.assert_frame_equal(new.reset_index(drop=True), was.reset_index(drop=True), check_exact=True)
    except AssertionError as e:
        raise AssertionError(f"{name}: {e}") from None


def _all_functions(cb, goals=None, ids=None, cofog=None, value="value"):
    """(name, new, old) for every replaced function on `cb`."""
    out = [("grand_total", spending.grand_total(cb), old.grand_total(cb)),
           ("_one_level", spending._one_level(cb, spending.LEVEL_ORDER), old._one_level(cb, spending.LEVEL_ORDER)),
           ("totals", spending.totals(cb, value, municipalities=ids), old.totals(cb, value, municipalities=ids)),
           ("revenue_vs_gross", spending.revenue_vs_gross(cb, ids, value), old.revenue_vs_gross(cb, ids, value)),
           ("latest", profile.latest(cb), old.latest(cb))]
    if ids is not None:
        out.append(("coverage", spending.coverage(cb, ids), old.coverage(cb, ids)))
    for name, shown, _ in list(out):  # the rows behind each table (caveats.subset)
        out.append((f"subset {name}", caveats.subset(cb, shown), old.subset(cb, shown)))
    for level in ("division", "group"):
        out.append((f"composition {level}", spending.composition(cb, level, cofog, value=value),
                    old.composition(cb, level, cofog, value=value)))
        out.append((f"plan_vs_outturn {level}", spending.plan_vs_outturn(cb, "category", level, value=value),
                    old.plan_vs_outturn(cb, "category", level, value=value)))
    out.append(("plan_vs_outturn item", spending.plan_vs_outturn(cb, "item", value=value),
                old.plan_vs_outturn(cb, "item", value=value)))
    years = sorted({int(y) for y in cb["fiscal_year"].dropna()})
    for year, phase in [(years[0], None), (years[-1], "actual"), (None, "original_budget"), (None, "forecast")]:
        out.append((f"composition {year} {phase}",
                    spending.composition(cb, "group", cofog, value=value, fiscal_year=year, phase=phase),
                    old.composition(cb, "group", cofog, value=value, fiscal_year=year, phase=phase)))
        out.append((f"latest {year} {phase}", profile.latest(cb, year, phase), old.latest(cb, year, phase)))
    if goals is not None:
        for sel in (ids, ids[:2], ids + ["nobody"], []):
            out.append((f"measurability {len(sel)}", goal_analysis.measurability(goals, sel),
                        old.measurability(goals, sel)))
    return out


def test_group_by_versions_equal_the_loops_on_the_sample_rows():
    cb = samples.budget()
    cb = cb.assign(value=cb["amount"] / 2)
    for name, new, was in _all_functions(cb, ids=["peine", "aalborg", "nobody"]):
        if name in ("totals", "revenue_vs_gross", "composition group", "plan_vs_outturn item", "latest"):
            assert len(was), name  # the samples exercise each function
        _same(new, was, name)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    root = copy_workspace(tmp_path_factory.mktemp("equivalence") / "ws")
    extract.run(root)
    return api.load(root, refresh=False)


@pytest.mark.slow
@pytest.mark.parametrize("per", ["inhabitant", "total"])
@pytest.mark.parametrize("price_basis", ["real", "nominal"])
def test_group_by_versions_equal_the_loops_on_the_real_data(real, per, price_basis):
    ids = real.municipality_ids
    with_budget = sorted(set(real.budget["municipality_id"]))
    cb = real.comparable_budget(with_budget, base_year=2024, price_basis=price_basis, per=per, missing="leave_out")
    compared = 0
    for name, new, was in _all_functions(cb, real.goals, list(ids), real.reference.cofog):
        _same(new, was, name)
        compared += len(was)
    assert compared > 300  # real tables, not empty ones (443 rows with per=inhabitant, real)
    # the raw contract rows (amount, all municipalities, Kiel's item totals included)
    for name, new, was in _all_functions(real.budget.assign(value=real.budget["amount"]), ids=list(ids)):
        _same(new, was, name)
