"""analysis.compare.standing (and its cache in analysis.api): the profiles' standing, computed
once, is exactly what each profile computed for itself."""
import pandas as pd
import pytest

from analysis import api
from analysis.compare import caveats, profile, scope, spending
from analysis.report import params
from analysis.sources import extract

from conftest import copy_workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = copy_workspace(tmp_path_factory.mktemp("standing") / "ws")
    extract.run(root)
    return api.load(root, refresh=False)


def _per_page(ws, m, base_year):
    """What the profile notebook computed per page before the standing was shared."""
    names = dict(zip(ws.municipalities["municipality_id"], ws.municipalities["name"]))
    with_budget = sorted(set(ws.budget["municipality_id"]))
    cb_all = ws.comparable_budget(with_budget, base_year=base_year, price_basis="real", per="inhabitant",
                                  missing="leave_out")
    comp_all = spending.composition(cb_all, "group", ws.reference.cofog, names=names)
    by_category = scope.standing(comp_all, ws.reference.coverage, m, names)
    facts = profile.standing(cb_all, ws.goals, ws.indicators, ws.municipality_ids, names,
                             coverage=ws.reference.coverage)
    return cb_all, by_category, caveats.subset(cb_all, by_category), facts


@pytest.mark.slow
def test_the_shared_standing_equals_what_each_profile_computed(ws, tmp_path):
    base_year = max(params.price_index_years(ws, ws.municipalities["country"].unique()))
    shared = ws.standing(base_year)
    api.write_standing(shared, tmp_path / "cache")
    cached = api.read_standing(tmp_path / "cache")
    compared = 0
    for m in ("peine", "aalborg", "kiel", "segeberg"):
        cb_all, by_category, behind, facts = _per_page(ws, m, base_year)
        for st in (shared, cached):
            pd.testing.assert_frame_equal(st.by_category(m), by_category)
            pd.testing.assert_frame_equal(st.facts, facts)
            rows = st.rows_behind(by_category)
            pd.testing.assert_frame_equal(rows, behind)
            assert rows.attrs == cb_all.attrs                      # who is left out (Kiel, Freiburg) stays known
            assert caveats.budget(rows, ws.municipalities, what="money") == \
                caveats.budget(behind, ws.municipalities, what="money")
            assert caveats.left_out(rows, ws.municipalities) == caveats.left_out(cb_all, ws.municipalities)
        compared += int(by_category["comparison"].astype(str).str.startswith("compared").any())
    assert compared                                                 # some profile compares with others
    assert any("kiel" in e["municipality_id"] for e in cb_all.attrs["left_out"])


@pytest.mark.slow
def test_a_profile_reads_the_build_cache_when_it_matches(ws, tmp_path, monkeypatch):
    base_year = max(params.price_index_years(ws, ws.municipalities["country"].unique()))
    folder = tmp_path / api.standing_key(ws.root, base_year, None, None)
    deps = api.write_standing(ws.standing(base_year), folder)
    assert set(deps) == set(ws.municipality_ids)
    monkeypatch.setenv(api.STANDING_ENV, str(tmp_path))
    fresh = api.load(ws.root, refresh=False)
    st = fresh.standing(base_year)
    assert st.load_part is not None                                 # read from the cache, not computed
    pd.testing.assert_frame_equal(st.by_category("peine"), ws.standing(base_year).by_category("peine"))
