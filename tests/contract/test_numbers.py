import pytest

from analysis.contract.errors import InputError
from analysis.contract.numbers import is_number, parse_number, parse_percent


@pytest.mark.parametrize("text, locale, expected", [
    ("1.234.567", "de", 1234567.0),
    ("-1.300.000", "de", -1300000.0),
    ("79.163.100", "de", 79163100.0),
    ("1.956,8", "da", 1956.8),
    ("-319,9", "da", -319.9),
    ("0,0", "da", 0.0),
    ("1034,0", "da", 1034.0),
    ("231,843", "da", 231.843),
    ("ca. 200.000", "de", 200000.0),
    ("knapp 120.000,-€", "de", 120000.0),
    ("140.000,-€", "de", 140000.0),
    ("460.000,-", "de", 460000.0),
    ("rund 1,8 Mio. €", "de", 1800000.0),
    ("1,2 Mio. €", "de", 1200000.0),
    ("30.815.000 €", "de", 30815000.0),
    ("72,6%", "da", 72.6),
    ("105%", "de", 105.0),
    ("\u22121.234", "de", -1234.0),
    ("1,234,567.5", "en", 1234567.5),
    ("-0.5", "en", -0.5),
])
def test_parse_number_examples(text, locale, expected):
    assert parse_number(text, locale) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "  ", "-", "---", "...", None])
def test_empty_cells_are_missing_not_zero(text):
    assert parse_number(text, "de") is None


def test_missing_number_can_be_required():
    with pytest.raises(InputError, match="expected a number"):
        parse_number("", "de", allow_missing=False, path="x.csv", line=3, column="amount")


def test_error_names_file_line_column_and_expectation():
    with pytest.raises(InputError) as exc:
        parse_number("12.34.5", "de", path="data/raw/x.txt", line=286, column="Plan")
    msg = str(exc.value)
    assert "data/raw/x.txt:286" in msg and "column 'Plan'" in msg
    assert "1.234.567" in msg and "'12.34.5'" in msg


def test_locales_disagree_on_separators():
    assert parse_number("1.234", "de") == 1234.0
    assert parse_number("1.234", "en") == pytest.approx(1.234)
    with pytest.raises(InputError):
        parse_number("1,234.5", "de")


def test_percent_keeps_printed_scale():
    assert parse_percent("101,0%", "da") == pytest.approx(101.0)


def test_is_number():
    assert is_number("1.956,8", "da")
    assert not is_number("Fälle", "de")
    assert not is_number("", "de")
