"""methods_tables.py: the methods page's tables and its chart of quality checks."""
from analysis.report import methods_tables


def test_the_quality_chart_of_500_documents_draws_a_bar_per_result():
    import pandas as pd
    docs = [f"doc-{i:03d}" for i in range(500)]
    by_document = pd.DataFrame({"document_id": docs, "pass": [10] * 500, "contradiction": [1 if i % 5 == 0 else 0
                                                                                          for i in range(500)]})
    by_document["total"] = by_document["pass"] + by_document["contradiction"]
    spec = methods_tables.quality_chart(by_document, "context").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert {r["result"]: (r["checks"], r["documents"]) for r in rows} == {"pass": (5000, 500), "contradiction": (100, 100)}
    assert spec["encoding"]["y"]["field"] == "result"
    few = methods_tables.quality_chart(by_document.head(3), "context").to_dict()
    assert few["encoding"]["y"]["field"] == "document_id"
    assert len(next(iter(few["datasets"].values()))) == 3 + 1       # doc-000 has a contradiction too
