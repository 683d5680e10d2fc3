from analysis.achievement import percent


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
