"""A progress line for slow steps: silent while a step is quick, then one line per step on stderr
(never stdout), naming the file, what was done and the seconds so far."""
import io

from conftest import fixture_workspace

from analysis.sources import progress, validate


def test_silent_before_the_threshold_then_one_line_per_step():
    out = io.StringIO()
    p = progress.Progress("data/municipalities/kiel/Haushalt-Kiel-2017.csv", after=3600, stream=out)
    p.step("read 6,595 rows")
    assert out.getvalue() == ""
    p.after = 0
    p.step("read 6,595 rows")
    p.step("1,646 rows ready")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("  data/municipalities/kiel/Haushalt-Kiel-2017.csv: read 6,595 rows (")
    assert lines[0].endswith("s)") and "1,646 rows ready" in lines[1]


def test_reading_a_mapped_file_reports_its_steps_on_stderr(tmp_path, monkeypatch, capsys):
    """As if every step took longer than the threshold: validate of the wide fixture file prints
    read/mapped/ready lines for it to stderr and nothing of them to stdout."""
    root = fixture_workspace(tmp_path, with_musterstadt=True)
    monkeypatch.setattr(progress.Progress.__init__, "__defaults__", (0.0, None))
    report = validate.check("musterstadt", root)
    assert report.errors == []
    captured = capsys.readouterr()
    steps = [line for line in captured.err.splitlines() if "haushalt_wide.csv: " in line]
    assert any(": read " in s and " rows (" in s for s in steps), captured.err
    assert any(" rows ready (" in s for s in steps), captured.err
    assert "haushalt_wide.csv: read" not in captured.out
