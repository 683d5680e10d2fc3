import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.contract.errors import InputError
from analysis.sources import registry

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"


def test_raw_documents_are_listed_with_their_hashes():
    docs = pd.read_csv(ROOT / "data/raw/documents.csv", dtype=str)
    assert len(docs) == 5
    for rec in docs.to_dict("records"):
        assert registry.sha256(ROOT / "data/raw" / rec["path"]) == rec["sha256"], rec["path"]


@pytest.mark.skipif(not SEEDS.exists(), reason="shared/seeds not beside the checkout")
def test_raw_documents_are_byte_for_byte_copies_of_the_seeds():
    docs = pd.read_csv(ROOT / "data/raw/documents.csv", dtype=str)
    for rec in docs.to_dict("records"):
        assert (ROOT / "data/raw" / rec["path"]).read_bytes() == (SEEDS / rec["original_file"]).read_bytes()


def test_documents_table_has_council_references():
    docs = registry.documents(ROOT).set_index("document_id")
    assert docs.loc["peine-2024-143", "reference"] == "Informationsvorlage 2024/143"
    assert docs.loc["magdeburg-i0139-12", "reference"] == "Information I0139/12"
    assert docs.loc["berlin-neukoelln-1265-xxi", "reference"] == "Drucksache 1265/XXI"
    assert docs.loc["segeberg-drs-2011-054", "reference"] == "Drucksache DrS/2011/054"
    assert docs.loc["peine-2024-143", "path"] == "data/raw/peine_produktbericht_2024-06.txt"


def test_municipalities():
    m = registry.municipalities(ROOT).set_index("municipality_id")
    assert list(m.index) == ["aalborg", "berlin-neukoelln", "freiburg", "kiel", "magdeburg", "peine", "segeberg"]
    assert m.loc["aalborg", "currency"] == "DKK" and m.loc["aalborg", "country"] == "DK"
    assert m.loc["peine", "admin_type"] == "Landkreis"
    assert m.loc["magdeburg", "admin_type"] == "kreisfreie Stadt"


def _copy_workspace(tmp_path):
    for sub in ("data/raw", "data/municipalities"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    return tmp_path


def test_a_changed_raw_document_is_refused(tmp_path):
    root = _copy_workspace(tmp_path)
    doc = root / "data/raw/segeberg_sozialraumorientierung_2011.txt"
    doc.write_bytes(doc.read_bytes() + b"\nedited")
    with pytest.raises(InputError) as exc:
        registry.documents(root)
    msg = str(exc.value)
    assert "documents.csv:6" in msg and "column 'sha256'" in msg and "immutable" in msg


def test_unknown_municipality_in_documents_list(tmp_path):
    root = _copy_workspace(tmp_path)
    lst = root / "data/raw/documents.csv"
    lst.write_text(lst.read_text(encoding="utf-8").replace(",aalborg,", ",aalborgg,"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        registry.documents(root)
    assert "documents.csv:5" in str(exc.value) and "municipality_id" in str(exc.value)
    assert "aalborg, berlin-neukoelln" in str(exc.value)


def test_municipality_metadata_errors_name_the_key(tmp_path):
    root = _copy_workspace(tmp_path)
    meta = root / "data/municipalities/peine/municipality.yml"
    meta.write_text(meta.read_text().replace("currency: EUR\n", ""))
    with pytest.raises(InputError) as exc:
        registry.municipalities(root)
    assert "municipality.yml" in str(exc.value) and "column 'currency'" in str(exc.value)
