"""Read the spreadsheets analysts fill in: CSV in any common dialect, or XLSX.

CSV: ',' ';' or tab separated; decimal comma or point, with or without thousands
separators; UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text") or
Windows-1252. The dialect is taken from the options declared in municipality.yml
(``input: files: <name>: {delimiter, decimal, encoding, sheet}``) or detected, and every
read returns a note saying what was used and whether it was declared or detected. A
column of numbers that cannot decide the decimal separator (``1.234`` is 1234 in German
and 1.234 in English) is read by the convention of the municipality's language and the
note says so; it is never guessed silently.

`read()` returns a `Sheet`: the cells as text (XLSX numbers stay numbers) with the
spreadsheet row of each record (header = row 1), and `Sheet.number()` to parse a cell.
"""
from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from analysis.contract.errors import InputError, Problem
from analysis.contract.numbers import parse_number

ROW = "_row"
DELIMITERS = {",": "','-separated", ";": "';'-separated", "\t": "tab-separated"}
_DELIMITER_NAMES = {",": ",", "comma": ",", ";": ";", "semicolon": ";", "\t": "\t", "tab": "\t", "\\t": "\t"}
_DECIMAL_NAMES = {",": ",", "comma": ",", ".": ".", "point": ".", "dot": "."}
OPTION_KEYS = {"delimiter", "decimal", "encoding", "sheet"}

# Decimal separator by ISO 639-1 language (the convention for ambiguous values).
DECIMAL_POINT_LANGUAGES = {"en", "ga", "mt", "he", "ja", "zh", "ko", "th"}


def language_decimal(language: str | None) -> str:
    """',' or '.': the decimal separator a language writes (German and Danish: ',')."""
    return "." if (language or "").lower() in DECIMAL_POINT_LANGUAGES else ","


@dataclass
class Sheet:
    """One table read from a file: `df` holds the cells plus column `_row` (spreadsheet row)."""

    path: Path
    display: str
    df: pd.DataFrame
    decimal: str = ","
    delimiter: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def locale(self) -> str:
        return "de" if self.decimal == "," else "en"

    @property
    def columns(self) -> list[str]:
        return [c for c in self.df.columns if c != ROW]

    def number(self, value, row: int, column: str) -> float | None:
        """Parse one cell as a number; raise InputError naming file, row and column."""
        if value is None or (isinstance(value, float) and value != value):
            return None
        if isinstance(value, bool):
            raise InputError("not a number", path=self.display, line=row, column=column,
                             expected="a number", found=str(value))
        if isinstance(value, (int, float)):
            return float(value)
        return parse_number(value, self.locale, path=self.display, line=row, column=column)


def amount(sheet: "Sheet", value, row: int, column: str) -> float | None:
    """`Sheet.number` for an amount of money: a percentage ('12%') is refused, not read as 12."""
    if isinstance(value, str) and "%" in value:
        raise InputError("a percentage is not an amount", path=sheet.display, line=row, column=column,
                         expected="an amount in whole currency units", found=value)
    return sheet.number(value, row, column)


def normalise_options(options: dict | None, where: str) -> tuple[dict, list[Problem]]:
    """Check declared options; return them with canonical values and the problems found."""
    out, problems = {}, []
    for key, value in (options or {}).items():
        if key not in OPTION_KEYS:
            problems.append(Problem(where, "unknown option", None, key,
                                    "one of " + ", ".join(sorted(OPTION_KEYS)), str(key)))
        elif key == "delimiter":
            if str(value).lower() not in _DELIMITER_NAMES and value not in _DELIMITER_NAMES:
                problems.append(Problem(where, "unknown delimiter", None, key,
                                        "',', ';' or 'tab'", str(value)))
            else:
                out[key] = _DELIMITER_NAMES.get(value, _DELIMITER_NAMES.get(str(value).lower()))
        elif key == "decimal":
            if str(value).lower() not in _DECIMAL_NAMES:
                problems.append(Problem(where, "unknown decimal separator", None, key,
                                        "',' (comma) or '.' (point)", str(value)))
            else:
                out[key] = _DECIMAL_NAMES[str(value).lower()]
        elif key == "encoding":
            try:
                codecs.lookup(str(value))
                out[key] = str(value)
            except LookupError:
                problems.append(Problem(where, "unknown encoding", None, key,
                                        "utf-8, utf-8-sig or windows-1252", str(value)))
        else:
            out[key] = value
    return out, problems


def read(path: Path | str, *, options: dict | None = None,
         numeric: Iterable[str] | Callable[[list[str]], Iterable[str]] = (),
         language: str | None = None, display: str | None = None) -> Sheet:
    """Read a CSV or XLSX file into a `Sheet`.

    `options` are the declared dialect (delimiter, decimal, encoding, sheet); `numeric`
    names the columns holding numbers (or is a function of the header returning them),
    used to detect the decimal separator; `language` decides ambiguous values.
    Raises InputError naming file, row and column.
    """
    path = Path(path)
    display = display or path.name
    opts, problems = normalise_options(options, display)
    if problems:
        raise InputError(problems)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        header, records, notes = _read_xlsx(path, display, opts.get("sheet"))
        delimiter = encoding = None
    elif suffix in (".xls", ".ods"):
        raise InputError(f"{suffix} files are not supported", path=display, line=1,
                         expected="CSV or XLSX (save the sheet as .xlsx or .csv)", found=path.name)
    else:
        header, records, notes, delimiter, encoding = _read_csv(path, display, opts)
    df = _frame(header, records, display)
    num_cols = list(numeric(list(header)) if callable(numeric) else numeric)
    decimal, dec_note, how = _decimal(df, [c for c in num_cols if c in df.columns], display, opts, language)
    if delimiter is not None:
        notes = notes + [_dialect_note(display, delimiter, encoding, decimal, how, dec_note)]
        delimiter, encoding = delimiter[0], encoding[0]
    elif dec_note or how in ("declared", "detected"):
        notes.append(f"{display}: numbers typed as text read with decimal "
                     f"{'comma' if decimal == ',' else 'point'} ({how})" + (f"; {dec_note}" if dec_note else ""))
    return Sheet(path, display, df, decimal, delimiter, encoding, notes)


# --- CSV -------------------------------------------------------------------------------------

def _decode(data: bytes, display: str, declared: str | None) -> tuple[str, str, str]:
    """Return text, a readable encoding name and how it was chosen."""
    if declared:
        try:
            text = data.decode(declared)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(f"cannot be read as {declared} (declared in municipality.yml)", path=display,
                             line=line, expected=f"text in {declared}",
                             found=data[exc.start: exc.start + 8].hex(" ")) from None
        return text.lstrip("\ufeff"), _encoding_name(declared), "declared"
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM", "detected"
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError("starts with a UTF-8 BOM but is not UTF-8", path=display, line=line,
                             expected="UTF-8 text", found=data[exc.start: exc.start + 8].hex(" ")) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16", "detected"
    try:
        return data.decode("utf-8"), "UTF-8", "detected"
    except UnicodeDecodeError:
        pass
    mixed = data.decode("utf-8", errors="surrogateescape")
    if _NON_ASCII_LETTER.search(mixed):
        raise _MixedEncoding(mixed)  # real UTF-8 characters and stray bytes: not one encoding
    try:
        return data.decode("cp1252"), "Windows-1252", "detected"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1", "detected"


_NON_ASCII_LETTER = re.compile("[^\x00-\x7f\udc80-\udcff]")  # a real UTF-8 character, not a stray byte


class _MixedEncoding(Exception):
    """A file that is UTF-8 except for some bytes (e.g. one Windows-1252 character pasted in)."""

    def __init__(self, text: str):
        super().__init__("mixed encoding")
        self.text = text


_STRAY = re.compile("[\udc80-\udcff]")


def _stray_text(text: str) -> str:
    return _STRAY.sub(lambda m: f"<0x{ord(m.group()) - 0xDC00:02x}>", text)


def _mixed_encoding_problem(text: str, display: str) -> InputError:
    """Name the line, column and byte of the first byte that is not UTF-8."""
    pos = _STRAY.search(text).start()
    byte = ord(text[pos]) - 0xDC00
    line = text[:pos].count("\n") + 1
    as_cp1252 = bytes([byte]).decode("cp1252", errors="replace")
    column, found = None, _stray_text(text.splitlines()[line - 1])[:60]
    try:
        delimiter, _ = _sniff(text, display)
        recs = _records(text, delimiter)
        header = [h.strip() for h in recs[0]]
        for r in recs:
            for j, cell in enumerate(r):
                if _STRAY.search(cell):
                    column = header[j] if j < len(header) and header[j] else f"column {j + 1}"
                    found = _stray_text(cell)
                    raise StopIteration
    except (InputError, StopIteration, IndexError):
        pass
    n = len(_STRAY.findall(text))
    what = "one byte" if n == 1 else f"{n} bytes"
    return InputError(f"the file is UTF-8 except {what} (the first is 0x{byte:02x}, '{as_cp1252}' in Windows-1252)",
                      path=display, line=line, column=column,
                      expected="one encoding per file (save it as 'CSV UTF-8')", found=found)


def _unclosed_quote(text: str, delimiter: str) -> tuple[int, int, int] | None:
    """(line, cell index, offset) of a quote that opens a cell and is never closed, else None.

    The csv module (strict=False) would read such a file silently to its end as one cell. As in
    the csv module, only a quote at the very start of a cell opens a quoted cell."""
    if '"' not in text or _closes(text, delimiter):
        return None
    quoted, start, line, cell, cell_start, skip = False, None, 1, 0, 0, -1
    for m in re.finditer('["\n' + re.escape(delimiter) + "]", text):
        i, c = m.start(), m.group()
        if i == skip:
            continue
        if quoted:
            if c == '"' and text[i + 1: i + 2] == '"':
                skip = i + 1                       # "" inside a quoted cell
            elif c == '"':
                quoted = False
            elif c == "\n":
                line += 1
        elif c == '"':
            if i == cell_start:
                quoted, start = True, (line, cell, i)
        elif c == delimiter:
            cell, cell_start = cell + 1, i + 1
        else:
            line, cell, cell_start = line + 1, 0, i + 1
    return start if quoted else None


def _closes(text: str, delimiter: str) -> bool:
    """True when the csv module in strict mode reads the text to its end: then every quoted cell
    is closed (an open one would end the data inside it). False says nothing: scan the text."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return False
    return True


def _encoding_name(enc: str) -> str:
    name = codecs.lookup(enc).name
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252",
            "iso8859-1": "ISO-8859-1", "latin-1": "ISO-8859-1", "utf-16": "UTF-16"}.get(name, name)


def _records(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _sniff(text: str, display: str) -> tuple[str, str | None]:
    """Pick the delimiter that splits the header into most columns and every row alike."""
    sample = "\n".join(text.splitlines()[:200])
    scores = []
    for d in (",", ";", "\t"):
        recs = [r for r in _records(sample, d) if any(c.strip() for c in r)]
        if not recs:
            continue
        width = len(recs[0])
        consistent = sum(1 for r in recs[1:] if len(r) == width or not any(c.strip() for c in r[width:]))
        scores.append((width > 1, consistent == len(recs) - 1, width, d))
    good = sorted((s for s in scores if s[0]), reverse=True)
    if not good:
        raise InputError("cannot tell how the columns are separated: the header has a single column",
                         path=display, line=1, expected="columns separated by ',', ';' or tab",
                         found=text.splitlines()[0][:60] if text else "")
    best = good[0]
    if not best[1]:
        raise InputError("rows have different numbers of cells for every separator tried", path=display,
                         line=1, expected="a rectangular table; declare input: files: "
                                          f"{Path(display).name}: delimiter: in municipality.yml", found=None)
    rivals = [s for s in good if s[1] and s[3] != best[3] and s[2] == best[2]]
    note = None
    if rivals:
        note = (f"'{best[3]}' and '{rivals[0][3]}' both split the header into {best[2]} columns; "
                f"used '{best[3]}'")
    return best[3], note


def _read_csv(path: Path, display: str, opts: dict):
    data = path.read_bytes()
    try:
        text, enc_name, enc_how = _decode(data, display, opts.get("encoding"))
    except _MixedEncoding as exc:
        raise _mixed_encoding_problem(exc.text, display) from None
    if not text.strip():
        raise InputError("the file is empty", path=display, line=1, expected="a header row", found="")
    if "delimiter" in opts:
        delimiter, sniff_note, delim_how = opts["delimiter"], None, "declared"
    else:
        (delimiter, sniff_note), delim_how = _sniff(text, display), "detected"
    recs = _records(text, delimiter)
    header = [h.strip() for h in recs[0]]
    open_quote = _unclosed_quote(text, delimiter)
    if open_quote:
        line, cell, offset = open_quote
        column = header[cell] if cell < len(header) and header[cell] else f"column {cell + 1}"
        raise InputError("a quoted cell is not closed before the end of the file", path=display, line=line,
                         column=column, expected="a closing '\"' (or no quote at the start of the cell)",
                         found=text[offset:offset + 60].split("\n")[0])
    records = [(i + 1, r) for i, r in enumerate(recs) if i > 0]
    notes = [sniff_note] if sniff_note else []
    control = re.search("[\x80-\x9f]", text) if enc_name == "ISO-8859-1" else None
    if control:  # bytes 0x80-0x9f are control characters in ISO-8859-1 but letters (and the euro sign) in Windows-1252
        line = text.count("\n", 0, control.start()) + 1
        notes.append(f"{display}: line {line} holds byte {ord(control.group()):#04x}, a control character in "
                     "ISO-8859-1 but a letter or sign in Windows-1252 (0x80 is the euro sign): the file is probably "
                     "Windows-1252; declare encoding: windows-1252 in municipality.yml")
    return header, records, notes, (delimiter, delim_how), (enc_name, enc_how)


def _dialect_note(display, delimiter, encoding, decimal, dec_how, dec_note) -> str:
    (d, d_how), (e, e_how) = delimiter, encoding
    parts = [(DELIMITERS[d], d_how), ("decimal comma" if decimal == "," else "decimal point", dec_how),
             (e, e_how)]
    hows = {h for _, h in parts}
    if len(hows) == 1:
        text = ", ".join(p for p, _ in parts) + f" ({hows.pop()})"
    else:
        text = ", ".join(f"{p} ({h})" for p, h in parts)
    text = f"{display}: read as {text}"
    return text + (f"; {dec_note}" if dec_note else "")


# --- XLSX ------------------------------------------------------------------------------------

def _read_xlsx(path: Path, display: str, sheet: str | None):
    import openpyxl
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException
        raise InputError(f"not a readable XLSX file ({type(exc).__name__})", path=display, line=1,
                         expected="an Excel .xlsx workbook", found=path.name) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError("no such sheet (declared in municipality.yml)", path=display, column="sheet",
                             expected="one of " + ", ".join(wb.sheetnames), found=str(sheet))
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        title = ws.title
    finally:
        wb.close()
    if not rows:
        raise InputError("the sheet is empty", path=display, line=1, expected="a header row", found="")
    _check_formulas(path, display, title, rows)
    header = ["" if v is None else _cell_text(v) for v in rows[0]]
    records = [(i + 1, [_xlsx_value(v) for v in r]) for i, r in enumerate(rows) if i > 0]
    how = "declared" if sheet is not None else "the first sheet"
    return header, records, [f"{display}: read sheet '{title}' ({how}); numbers as stored in the workbook"]


def _check_formulas(path: Path, display: str, title: str, values: list) -> None:
    """Formulas saved without their results (e.g. by scripts) would read as empty cells."""
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for i, row in enumerate(wb[title].iter_rows(values_only=True)):
            for j, v in enumerate(row):
                if isinstance(v, str) and v.startswith("=") and (i >= len(values) or j >= len(values[i])
                                                                 or values[i][j] is None):
                    from openpyxl.utils import get_column_letter
                    raise InputError("formula without a saved result", path=display, line=i + 1,
                                     column=get_column_letter(j + 1),
                                     expected="a value (open and save the workbook in Excel or LibreOffice)",
                                     found=v)
    finally:
        wb.close()


def _xlsx_value(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (int, float)):
        return v
    return _cell_text(v)


def _cell_text(v) -> str:
    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time() else v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# --- common ----------------------------------------------------------------------------------

def _frame(header: list[str], records: list[tuple[int, list]], display: str) -> pd.DataFrame:
    """The records as a DataFrame of the header's columns (blank cells None, empty rows dropped),
    built column by column so that 100,000 rows take a fraction of a second."""
    problems = []
    seen = {}
    for j, h in enumerate(header):
        if h and h in seen:
            problems.append(Problem(display, "column name used twice", 1, h,
                                    "each column once", f"columns {seen[h] + 1} and {j + 1}"))
        seen.setdefault(h, j)
    width = len(header)
    ok, numbers = [], []
    for row, cells in records:
        if len(cells) > width:
            extra = [c for c in cells[width:] if not _blank(c)]
            if extra:
                problems.append(Problem(display, f"row has {len(cells)} cells but the header has {width} columns "
                                                 "(a decimal comma in a ','-separated file must be quoted)",
                                        row, None, f"{width} cells", str(extra[0])))
                continue
            cells = cells[:width]
        elif len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        ok.append(cells)
        numbers.append(row)
    if not width:
        if problems:
            raise InputError(sorted(problems, key=lambda p: (p.line or 0)))
        df = pd.DataFrame(index=range(len(ok))).loc[[False] * len(ok), []].reset_index(drop=True)
        df[ROW] = pd.Series([], dtype="int64")
        return df
    cells_of = list(zip(*ok)) if ok else [()] * width  # every row in `ok` has `width` cells
    # plain lists: a few hundred cells a column cost less than pandas calls; a blank cell is None
    columns = [[c if c.__class__ is str and c.strip() else _cell(c) for c in cells_of[j]] for j in range(width)]
    nonempty = [any(c is not None for c in r) for r in zip(*columns)]
    for j, h in enumerate(header):
        if h:
            continue
        for i, c in enumerate(columns[j]):
            if c is not None:
                problems.append(Problem(display, "value in a column without a header", numbers[i], f"column {j + 1}",
                                        "a header in row 1", str(c)))
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.line or 0)))
    keep = [j for j, h in enumerate(header) if h]
    if not all(nonempty):
        columns = [[c for c, k in zip(col, nonempty) if k] for col in columns]
        numbers = [r for r, k in zip(numbers, nonempty) if k]
    if ROW in header:  # a column named like the row numbers: they take its place
        df = pd.DataFrame({j: columns[j] for j in keep}, dtype=object, index=range(len(numbers)))
        df.columns = [header[j] for j in keep]
    else:
        df = pd.DataFrame({header[j]: columns[j] for j in keep}, dtype=object, index=range(len(numbers)))
    df[ROW] = np.array(numbers, dtype=np.int64)
    return df


def _cell(c):
    """A cell as the frame holds it: None for a blank text, None, NaN or NaT."""
    if c is None or (isinstance(c, str) and not c.strip()):
        return None
    return None if not isinstance(c, str) and pd.isna(c) else c


def _blank(c) -> bool:
    return c is None or (isinstance(c, str) and not c.strip())


_NUM_CLEAN = re.compile(r"[\s\u00a0\u202f€%]|^[-+\u2212(]|\)$|(eur|kr\.?|dkk)$", re.I)


# The shapes `classify` tells apart, in the order it tries them (the first that matches the whole
# text decides): one pattern, so that a cell costs one match, not up to seven.
_SHAPES = re.compile(r"(\d+)"
                     r"|(\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,})"
                     r"|(\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,})"
                     r"|([1-9]\d{0,2}[.,]\d{3})"
                     r"|(\d+,\d+)"
                     r"|(\d+\.\d+)")
_SHAPE_KIND = {1: None, 2: ",", 3: ".", 4: "ambiguous", 5: ",", 6: "."}


def classify(text: str) -> str | None:
    """What a number's separators say: ',' or '.' (the decimal), 'ambiguous', or None."""
    s = _NUM_CLEAN.sub("", str(text).strip())
    s = _NUM_CLEAN.sub("", s)
    m = _SHAPES.fullmatch(s)
    return None if m is None else _SHAPE_KIND[m.lastindex]


def _decimal(df: pd.DataFrame, columns: list[str], display: str, opts: dict, language: str | None):
    """Return (decimal, note, how) for the numeric `columns`."""
    if "decimal" in opts:
        return opts["decimal"], None, "declared"
    votes: dict[str, tuple[int, str, str]] = {}
    ambiguous: list[tuple[int, str, str]] = []
    for col in columns:
        for row, v in zip(df[ROW], df[col]):
            if not isinstance(v, str):
                continue
            kind = classify(v)
            if kind == "ambiguous":
                ambiguous.append((row, col, v))
            elif kind:
                votes.setdefault(kind, (row, col, v))
    if len(votes) == 2:
        (r1, c1, v1), (r2, c2, v2) = votes[","], votes["."]
        raise InputError([Problem(display, "numbers mix decimal comma and decimal point", r1, c1,
                                  f"one convention per file (row {r2}, column '{c2}' has {v2!r})", v1)])
    conv = language_decimal(language)
    if votes:
        return next(iter(votes)), None, "detected"
    if ambiguous:
        row, col, v = ambiguous[0]
        value = parse_number(v, "de" if conv == "," else "en")
        more = f" and {len(ambiguous) - 1} more" if len(ambiguous) > 1 else ""
        note = (f"AMBIGUOUS: values like {v!r} (row {row}, column '{col}'{more}) could use '.' or ',' as "
                f"thousands or decimal separator and no value decides it; read with the decimal "
                f"{'comma' if conv == ',' else 'point'} of the municipality's language ({language or 'unknown'}), "
                f"so {v!r} = {value:g}; declare decimal in municipality.yml (input: files:) if that is wrong")
        return conv, note, f"convention of language {language or 'unknown'}"
    return conv, None, f"whole numbers only; convention of language {language or 'unknown'}"
