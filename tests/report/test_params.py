"""params.py: parameters from JupyterLab, `papermill -p` / `-r` / `-y`, checked against the data."""
import pandas as pd
import pytest

from analysis.api import Workspace
from analysis.contract import schema
from analysis.report import params

MUNIS = pd.DataFrame({"municipality_id": ["aalborg", "berlin-neukoelln", "magdeburg", "peine", "segeberg"],
                      "name": ["Aalborg Kommune", "Bezirk Berlin-Neukölln", "Landeshauptstadt Magdeburg",
                               "Landkreis Peine", "Kreis Segeberg"],
                      "country": ["DK", "DE", "DE", "DE", "DE"], "region": [None] * 5,
                      "admin_type": ["Kommune", "Bezirk", "kreisfreie Stadt", "Landkreis", "Kreis"],
                      "currency": ["DKK", "EUR", "EUR", "EUR", "EUR"], "language": ["da", "de", "de", "de", "de"]})


class Ref:
    """Stands in for analysis.reference.Reference: only the price index is read."""
    price_index = pd.DataFrame({"country": ["DE", "DE", "DK", "DK", "DE"], "year": [2014, 2024, 2014, 2024, 2023],
                                "series": ["HICP"] * 5, "index": [99.32, 129.0, 99.78, 119.13, 125.87]})


@pytest.fixture
def ws():
    goals = schema.conform(pd.DataFrame([{
        "municipality_id": "peine", "document_id": "d", "goal_id": "g1", "goal": "x", "goal_en": "x",
        "perspective": "client", "goal_type": "process", "direction": "none", "status": "met",
        "quantified": False, "quote": "x", "source_ref": "f.txt:1"}]), "goals")
    ind = schema.conform(pd.DataFrame([{
        "municipality_id": "peine", "document_id": "d", "fiscal_year": 2024, "item_code": "3111",
        "indicator": "Fälle", "unit": "cases", "phase": "forecast", "value": 387.0, "category": "10.7",
        "source_ref": "f.txt:286"}]), "indicators")
    return Workspace({"municipalities": MUNIS, "goals": goals, "indicators": ind}, ref=Ref())


@pytest.mark.parametrize("value", [["peine", "aalborg"], ("peine", "aalborg"), '["peine","aalborg"]',
                                   "['peine', 'aalborg']", "peine,aalborg", " peine , aalborg ", '["Peine", "AALBORG"]'])
def test_municipalities_in_every_form(ws, value):
    assert params.spending(ws, municipalities=value).municipalities == ["peine", "aalborg"]


@pytest.mark.parametrize("value", ["all", None, [], "", "[]", '["all"]'])
def test_all_means_every_municipality(ws, value):
    assert params.spending(ws, municipalities=value).municipalities == list(MUNIS["municipality_id"])


def test_unknown_municipality_lists_the_valid_choices(ws):
    with pytest.raises(params.ParameterError) as exc:
        params.spending(ws, municipalities='["nowhere"]')
    msg = str(exc.value)
    assert "unknown municipalities: 'nowhere'" in msg
    assert "Valid choices for municipalities: aalborg, berlin-neukoelln, magdeburg, peine, segeberg" in msg


def test_base_year_from_string_and_against_the_price_index(ws):
    assert params.spending(ws, base_year="2024").base_year == 2024
    assert params.spending(ws, base_year='"2014"', municipalities="aalborg").base_year == 2014
    # 2023 has a German index but no Danish one: valid for Peine alone, not with Aalborg
    assert params.spending(ws, municipalities="peine", base_year=2023).base_year == 2023
    with pytest.raises(params.ParameterError, match=r"unknown base_year: 2023\. Valid choices for base_year: 2014, 2024"):
        params.spending(ws, municipalities=["peine", "aalborg"], base_year=2023)
    with pytest.raises(params.ParameterError, match="expected a year like 2024"):
        params.spending(ws, base_year="last year")


def test_options_and_aliases(ws):
    p = params.spending(ws, price_basis="REAL", per="capita", category_level="10.4")
    assert (p.price_basis, p.per, p.category_level) == ("real", "inhabitant", "group")
    with pytest.raises(params.ParameterError, match="Valid choices for price_basis: nominal, real"):
        params.spending(ws, price_basis="ppp")
    with pytest.raises(params.ParameterError, match="Valid choices for per: inhabitant, total"):
        params.spending(ws, per="household")
    with pytest.raises(params.ParameterError, match="Valid choices for category_level: division, group"):
        params.spending(ws, category_level="class")


def test_goal_parameters(ws):
    p = params.goals(ws, perspectives='["client","legal"]', goal_types="outcome,process")
    assert p.perspectives == ["client", "legal"] and p.goal_types == ["outcome", "process"]
    with pytest.raises(params.ParameterError, match="Valid choices for goal_types: outcome, output, process, input, structure"):
        params.goals(ws, goal_types=["wish"])
    with pytest.raises(params.ParameterError, match="Valid choices for perspectives: client, staff, economic, legal, process_quality"):
        params.goals(ws, perspectives="citizens")


def test_indicator_categories_include_divisions_and_uncategorised(ws):
    assert params.indicators(ws).categories == ["10", "10.7", "uncategorised"]
    assert params.indicators(ws, categories=10).categories == ["10"]          # papermill -p turns '10' into 10
    assert params.indicators(ws, categories=10.7).categories == ["10.7"]
    with pytest.raises(params.ParameterError, match="Valid choices for categories: 10, 10.7, uncategorised"):
        params.indicators(ws, categories="10.4")


def test_profile_takes_exactly_one(ws):
    assert params.profile(ws, "aalborg").municipality == "aalborg"
    assert params.profile(ws, '["aalborg"]').municipality == "aalborg"
    with pytest.raises(params.ParameterError, match="choose exactly one"):
        params.profile(ws, "peine,aalborg")
    with pytest.raises(params.ParameterError, match="Valid choices for municipality: aalborg, berlin-neukoelln"):
        params.profile(ws, "nowhere")


def test_bad_json_is_explained():
    with pytest.raises(params.ParameterError, match="is not a JSON list"):
        params.as_list('["peine", ', "municipalities")


def test_fiscal_year_and_phase(ws):
    budget = schema.conform(pd.DataFrame([{
        "municipality_id": "peine", "document_id": "d", "fiscal_year": y, "period": str(y), "org_unit": "x",
        "item_code": "3111", "item_name": "HLU", "level": "product", "direction": "net", "economic_type": "all",
        "phase": "actual", "amount": 1.0, "currency": "EUR", "source_ref": "f.txt:1"} for y in (2014, 2024)]), "budget")
    ws2 = Workspace({"municipalities": MUNIS, "budget": budget}, ref=Ref())
    p = params.spending(ws2, fiscal_year="latest", phase="most_realised")
    assert (p.fiscal_year, p.phase) == (None, None)
    p = params.spending(ws2, fiscal_year="2014", phase="actual")
    assert (p.fiscal_year, p.phase) == (2014, "actual")
    with pytest.raises(params.ParameterError, match="Valid choices for fiscal_year: 2014, 2024"):
        params.spending(ws2, fiscal_year=2016)
    with pytest.raises(params.ParameterError, match="financial_plan, most_realised"):
        params.profile(ws2, "peine", phase="Ist")
    assert params.profile(ws2, "peine", fiscal_year=2024).fiscal_year == 2024


def test_groups_in_the_municipality_parameter_and_highlight(ws, tmp_path):
    assert params.spending(ws, municipalities="admin_type:Kreis,admin_type:Landkreis").municipalities == [
        "segeberg", "peine"]                                        # in the order of the selection
    assert params.goals(ws, municipalities='["country:DK", "peine"]').municipalities == ["aalborg", "peine"]
    with pytest.raises(params.ParameterError, match=r"unknown administrative type in municipalities: "
                                                    r"'admin_type:Gemeinde'. Valid values of admin_type: Bezirk"):
        params.indicators(ws, municipalities="admin_type:Gemeinde")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "groups.yml").write_text("groups:\n  kreise: [peine, segeberg]\n", encoding="utf-8")
    ws.root = tmp_path
    p = params.spending(ws, municipalities="group:kreise,aalborg", highlight="group:kreise")
    assert p.municipalities == ["peine", "segeberg", "aalborg"] and p.highlight == ["peine", "segeberg"]
    assert params.spending(ws).highlight == []
    with pytest.raises(params.ParameterError, match="unknown group in municipalities: 'group:nord'. Groups in "
                                                    "reports/groups.yml: kreise"):
        params.spending(ws, municipalities="group:nord")
    with pytest.raises(params.ParameterError, match="unknown highlight: 'magdeburg'"):   # not in the selection
        params.spending(ws, municipalities="group:kreise", highlight="magdeburg")
    assert ws.resolve("group:kreise") == ["peine", "segeberg"]
    assert list(ws.select("goals", municipalities="admin_type:Landkreis")["municipality_id"]) == ["peine"]
