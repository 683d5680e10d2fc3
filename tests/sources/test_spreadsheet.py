from pathlib import Path

import openpyxl
import pytest

from analysis.contract.errors import InputError
from analysis.sources import spreadsheet

DIALECTS = Path(__file__).resolve().parents[1] / "fixtures" / "municipality" / "dialects"
LONG_NAME = "Hilfe zur Überwindung besonderer sozialer Schwierigkeiten"


def _amounts(sheet):
    return [sheet.number(v, r, "amount") for v, r in zip(sheet.df["amount"], sheet.df["_row"])]


@pytest.mark.parametrize("name, delimiter, decimal, encoding, note", [
    ("budget_comma_point_utf8.csv", ",", ".", "UTF-8", "read as ','-separated, decimal point, UTF-8 (detected)"),
    ("budget_semicolon_comma_cp1252.csv", ";", ",", "Windows-1252",
     "read as ';'-separated, decimal comma, Windows-1252 (detected)"),
    ("budget_semicolon_comma_utf8bom.csv", ";", ",", "UTF-8 with BOM",
     "read as ';'-separated, decimal comma, UTF-8 with BOM (detected)"),
    ("budget_tab_comma_utf8.csv", "\t", ",", "UTF-8", "read as tab-separated, decimal comma, UTF-8 (detected)"),
])
def test_dialects_are_detected_and_read_alike(name, delimiter, decimal, encoding, note):
    sheet = spreadsheet.read(DIALECTS / name, numeric=["amount"], language="de")
    assert (sheet.delimiter, sheet.decimal, sheet.encoding) == (delimiter, decimal, encoding)
    assert sheet.notes == [f"{name}: {note}"]
    assert sheet.df.columns[0] == "municipality_id"  # no BOM left in the first header
    assert list(sheet.df["_row"]) == [2, 3, 4, 5, 6]
    assert sheet.df.loc[3, "item_name"] == LONG_NAME  # umlauts survive Windows-1252 and UTF-8
    # 5.432.100,50 / 5,432,100.50 and the lone 150.000 / 150,000 (decided by the other values)
    assert _amounts(sheet) == [5432100.5, 1200000.25, 2000000.0, 2232100.25, 150000.0]


def test_xlsx_numbers_as_stored_and_rows_as_in_excel(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Haushalt"
    ws.append(["item_code", "item_name", "amount"])
    ws.append([3111, "Hilfe zum Lebensunterhalt", 1200000.25])
    ws.append([None, None, None])  # an empty row keeps the numbering
    ws.append(["3115", LONG_NAME, "2.232.100,25"])  # a number typed as text
    wb.save(tmp_path / "budget.xlsx")
    sheet = spreadsheet.read(tmp_path / "budget.xlsx", numeric=["amount"], language="de")
    assert list(sheet.df["_row"]) == [2, 4]
    assert list(sheet.df["item_code"]) == [3111, "3115"]  # numbers stay numbers; tables turn codes into text
    assert _amounts(sheet) == [1200000.25, 2232100.25]
    assert sheet.notes[0] == ("budget.xlsx: read sheet 'Haushalt' (the first sheet); numbers as stored in the "
                              "workbook")
    assert "decimal comma (detected)" in sheet.notes[1]


def test_xlsx_formula_without_saved_value_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["item_code", "amount"])
    wb.active.append(["3111", "=1+1"])
    wb.save(tmp_path / "budget.xlsx")
    with pytest.raises(InputError) as exc:
        spreadsheet.read(tmp_path / "budget.xlsx", numeric=["amount"])
    assert "budget.xlsx:2, column 'B': formula without a saved result" in str(exc.value)


def test_xlsx_declared_sheet_must_exist(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(InputError) as exc:
        spreadsheet.read(tmp_path / "t.xlsx", options={"sheet": "Ziele"})
    assert "no such sheet" in str(exc.value) and "one of Sheet" in str(exc.value)


def _write(tmp_path, text, encoding="utf-8", name="t.csv"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_ambiguous_values_follow_the_language_and_say_so(tmp_path):
    p = _write(tmp_path, "item;amount\na;1.234\nb;2.500\n")
    de = spreadsheet.read(p, numeric=["amount"], language="de")
    assert _amounts(de) == [1234.0, 2500.0]
    note = de.notes[0]
    assert note.startswith("t.csv: read as ';'-separated (detected), decimal comma (convention of language de)")
    assert "AMBIGUOUS: values like '1.234' (row 2, column 'amount' and 1 more)" in note
    assert "'1.234' = 1234" in note and "declare decimal in municipality.yml" in note
    en = spreadsheet.read(p, numeric=["amount"], language="en")
    assert _amounts(en) == [1.234, 2.5]
    assert "decimal point (convention of language en)" in en.notes[0] and "'1.234' = 1.234" in en.notes[0]


def test_one_unambiguous_value_decides_without_a_warning(tmp_path):
    p = _write(tmp_path, "item;amount\na;1.234\nb;1.234.567\n")
    sheet = spreadsheet.read(p, numeric=["amount"], language="en")
    assert _amounts(sheet) == [1234.0, 1234567.0]
    assert "AMBIGUOUS" not in sheet.notes[0] and "decimal comma" in sheet.notes[0]


def test_declared_options_win_and_are_named(tmp_path):
    p = _write(tmp_path, "item;amount\na;1.234\n", encoding="cp1252")
    sheet = spreadsheet.read(p, numeric=["amount"], language="de",
                             options={"decimal": ".", "delimiter": "semicolon", "encoding": "windows-1252"})
    assert _amounts(sheet) == [1.234]
    assert sheet.notes == ["t.csv: read as ';'-separated, decimal point, Windows-1252 (declared)"]


def test_mixed_decimal_conventions_are_an_error(tmp_path):
    p = _write(tmp_path, "item;amount;value\na;1,5;2\nb;3;2.75\n")
    with pytest.raises(InputError) as exc:
        spreadsheet.read(p, numeric=["amount", "value"])
    msg = str(exc.value)
    assert "t.csv:2, column 'amount': numbers mix decimal comma and decimal point" in msg
    assert "row 3, column 'value' has '2.75'" in msg


def test_unquoted_decimal_comma_in_a_comma_file_names_the_row(tmp_path):
    p = _write(tmp_path, "item,amount\na,1\nb,2,5\n")
    with pytest.raises(InputError) as exc:
        spreadsheet.read(p, options={"delimiter": ","}, numeric=["amount"])
    assert "t.csv:3: row has 3 cells but the header has 2 columns" in str(exc.value)


def test_number_errors_name_file_row_and_column(tmp_path):
    p = _write(tmp_path, "item;amount\na;zwölf\n")
    sheet = spreadsheet.read(p, numeric=["amount"], language="de")
    with pytest.raises(InputError) as exc:
        sheet.number("zwölf", 2, "amount")
    assert "t.csv:2, column 'amount': not a number" in str(exc.value)


def test_windows_1252_is_detected_when_utf8_fails(tmp_path):
    p = _write(tmp_path, "Produkt;Bezeichnung\n3111;Hilfe für Ältere\n", encoding="cp1252")
    sheet = spreadsheet.read(p)
    assert sheet.encoding == "Windows-1252" and sheet.df.loc[0, "Bezeichnung"] == "Hilfe für Ältere"


def test_wrongly_declared_encoding_names_the_line(tmp_path):
    p = _write(tmp_path, "a;b\n1;2\nx;Ä\n", encoding="cp1252")
    with pytest.raises(InputError) as exc:
        spreadsheet.read(p, options={"encoding": "utf-8"})
    assert "t.csv:3: cannot be read as utf-8 (declared in municipality.yml)" in str(exc.value)


def test_unknown_options_are_refused():
    with pytest.raises(InputError) as exc:
        spreadsheet.read("x.csv", options={"delimiter": "|", "decimals": ","})
    assert "column 'delimiter': unknown delimiter" in str(exc.value)
    assert "column 'decimals': unknown option" in str(exc.value)


def test_classify():
    assert spreadsheet.classify("1.234") == "ambiguous"
    assert spreadsheet.classify("-1,234 €") == "ambiguous"
    assert spreadsheet.classify("0,500") == ","      # English thousands never start with 0
    assert spreadsheet.classify("1.234.567") == ","
    assert spreadsheet.classify("1,956.8") == "."
    assert spreadsheet.classify("1234.567") == "."   # grouping needs at most three leading digits
    assert spreadsheet.classify("12,5") == ","
    assert spreadsheet.classify("2023") is None


# --- issue 12 --------------------------------------------------------------------------------------

def test_one_windows_1252_byte_in_a_utf8_file_is_named_not_read_as_cp1252(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_bytes("item_name,amount,note\nHilfe für Flüchtlinge,10,\nZuschuss,50,Zuschuss 50 ".encode("utf-8")
                     + b"\x80\n")
    with pytest.raises(InputError) as exc:
        spreadsheet.read(path, numeric=["amount"])
    assert str(exc.value) == ("budget.csv:3, column 'note': the file is UTF-8 except one byte (the first is 0x80, '€' "
                              "in Windows-1252); expected one encoding per file (save it as 'CSV UTF-8'), found "
                              "'Zuschuss 50 <0x80>'")


def test_a_wholly_windows_1252_file_is_still_read(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_bytes("item_name,amount\nHilfe für Flüchtlinge,10\n€ Zuschuss,5\n".encode("cp1252"))
    sheet = spreadsheet.read(path, numeric=["amount"])
    assert sheet.encoding == "Windows-1252" and list(sheet.df["item_name"]) == ["Hilfe für Flüchtlinge", "€ Zuschuss"]


def test_an_unclosed_quote_names_its_line_and_column(tmp_path):
    path = tmp_path / "goals.csv"
    path.write_text('goal_id,quote,target\ng1,"Ziel 95 %,95\ng2,ok,90\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        spreadsheet.read(path)
    assert str(exc.value).startswith("goals.csv:2, column 'quote': a quoted cell is not closed before the end of the "
                                     "file; expected a closing '\"'")
    path.write_text('goal_id,quote,target\ng1,"Ziel 95 %, erreicht",95\ng2,"ok ""quoted""\ntext",90\n', encoding="utf-8")
    assert list(spreadsheet.read(path).df["quote"]) == ["Ziel 95 %, erreicht", 'ok "quoted"\ntext']


def test_a_percentage_is_not_an_amount(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text("item,amount\nx,12%\n", encoding="utf-8")
    sheet = spreadsheet.read(path, numeric=["amount"])
    with pytest.raises(InputError, match=r"budget.csv:2, column 'amount': a percentage is not an amount"):
        spreadsheet.amount(sheet, "12%", 2, "amount")
    assert sheet.number("12%", 2, "value") == 12.0    # a value (e.g. a rate) may be a percentage
