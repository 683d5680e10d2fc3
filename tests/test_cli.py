"""analysis.cli: the command's own behaviour (exit codes, pipes)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_validate_into_a_closed_pipe_exits_quietly():
    """X6: `analysis validate | head` gives no BrokenPipeError traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "--root", str(ROOT), "validate"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()   # the reader (head) has gone before the first line is written
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Broken pipe" not in err
    assert proc.returncode == 141   # as a process ended by SIGPIPE


def test_help_lists_every_folder_extract_reads():
    """Issue 9: `analysis --help` names each input folder of extract (extract.input_files reads
    data/raw, data/curated, data/municipalities and data/reference)."""
    from analysis.contract import paths
    from analysis.sources import extract

    out = subprocess.run([sys.executable, "-m", "analysis.cli", "--help"], capture_output=True, text=True,
                         check=True).stdout
    text = " ".join(out.split())       # argparse wraps the help text
    read = {p.relative_to(ROOT).parts[:2] for p in extract.input_files(ROOT) if p.is_relative_to(paths.data_dir(ROOT))}
    assert read, "extract reads no data folder?"
    for parts in sorted(read):
        assert "/".join(parts) + "/" in text, f"{'/'.join(parts)}/ is not named in `analysis --help`"
