import pytest

from analysis.contract.achievement import percent, stored


def test_directions_as_the_documents_compute_them():
    assert round(percent(95, 100, "higher_is_better"), 1) == 105.3      # Peine 3111: printed 105 %
    assert round(percent(4800, 4508, "lower_is_better"), 1) == 106.5    # Peine 3121: printed 106 %
    assert percent(20, 10, "lower_is_better") == 200.0


def test_missing_zero_or_no_direction_give_none():
    assert percent(None, 3, "higher_is_better") is None
    assert percent(float("nan"), 3, "higher_is_better") is None
    assert percent(0, 3, "higher_is_better") is None
    assert percent(3, 0, "lower_is_better") is None
    assert percent(3, 3, "none") is None


def test_stored_rounds_to_six_decimals_as_the_tables_keep_it():
    assert stored(95, 100, "higher_is_better") == pytest.approx(105.263158)   # Peine 3111: 105 %
    assert stored(4800, 4508, "lower_is_better") == pytest.approx(106.477374)  # Peine 3121: 106 %
    assert stored(95, None, "higher_is_better") is None
    assert stored(95, 90, "none") is None
