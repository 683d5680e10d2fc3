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
