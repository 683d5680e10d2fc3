"""scripts/with-quarto.sh (make test): Quarto from ../shared/tools/quarto into .tools/quarto, once."""
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "with-quarto.sh"

FAKE_INSTALLER = """#!/usr/bin/env bash
set -eu
echo "== 1/5 downloading (noise the user should not see)"
echo "$PREFIX" >> "$(dirname "$0")/calls"
{fail}
mkdir -p "$PREFIX/bin"
printf '#!/bin/sh\\necho 1.9.38\\n' > "$PREFIX/bin/quarto"
chmod +x "$PREFIX/bin/quarto"
echo "quarto --version: 1.9.38"
"""
SHOW = 'echo "quarto=$(command -v quarto || echo none) require=${ANALYSIS_REQUIRE_QUARTO:-unset}"'


def _layout(tmp_path, installer: str | None) -> Path:
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, checkout / "scripts" / SCRIPT.name)
    if installer is not None:
        tools = tmp_path / "shared" / "tools" / "quarto"
        tools.mkdir(parents=True)
        (tools / "install.sh").write_text(installer)
    return checkout


def _run(checkout: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(checkout)}
    assert shutil.which("quarto", path=env["PATH"]) is None
    return subprocess.run(["bash", str(checkout / "scripts" / SCRIPT.name), "bash", "-c", SHOW],
                          cwd=checkout, env=env, capture_output=True, text=True)


def test_installs_once_into_tools_and_requires_the_quarto_tests(tmp_path):
    checkout = _layout(tmp_path, FAKE_INSTALLER.format(fail=""))
    first = _run(checkout)
    assert first.returncode == 0, first.stderr
    prefix = checkout / ".tools" / "quarto"
    assert first.stdout.splitlines() == [
        "installing Quarto from ../shared/tools/quarto into .tools/quarto (takes up to a minute)...",
        "installed: quarto --version: 1.9.38",
        f"quarto={prefix}/bin/quarto require=1"]
    assert "noise" not in first.stdout + first.stderr                 # the installer's output goes to a log
    again = _run(checkout)
    assert again.returncode == 0 and again.stdout == f"quarto={prefix}/bin/quarto require=1\n" and again.stderr == ""
    assert (tmp_path / "shared" / "tools" / "quarto" / "calls").read_text().splitlines() == [str(prefix)]  # once


def test_a_failed_install_stops_with_the_installers_message(tmp_path):
    checkout = _layout(tmp_path, FAKE_INSTALLER.format(
        fail='echo "install.sh: ERROR: npm pack failed (is the npm registry reachable?)" >&2; exit 1'))
    result = _run(checkout)
    assert result.returncode == 1 and "quarto=" not in result.stdout
    assert "error: installing Quarto failed" in result.stderr
    assert "install.sh: ERROR: npm pack failed (is the npm registry reachable?)" in result.stderr
    assert not (checkout / ".tools" / "quarto" / "bin" / "quarto").exists()
    assert _run(checkout).returncode == 1                             # tried again next time, not marked done


def test_without_installer_nothing_is_installed_and_the_tests_may_skip(tmp_path):
    checkout = _layout(tmp_path, None)
    result = _run(checkout)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "note: no quarto on PATH and no ../shared/tools/quarto/install.sh: the Quarto tests will be skipped.",
        "quarto=none require=unset"]
    assert not (checkout / ".tools").exists()


def test_a_quarto_on_path_is_used_as_it_is(tmp_path):
    checkout = _layout(tmp_path, FAKE_INSTALLER.format(fail=""))
    own = tmp_path / "own-bin"
    own.mkdir()
    (own / "quarto").write_text("#!/bin/sh\necho 1.5.0\n")
    (own / "quarto").chmod(0o755)
    env = {"PATH": f"{own}:/usr/bin:/bin", "HOME": str(checkout)}
    result = subprocess.run(["bash", str(checkout / "scripts" / SCRIPT.name), "bash", "-c", SHOW],
                            cwd=checkout, env=env, capture_output=True, text=True)
    assert result.stdout == f"quarto={own}/quarto require=1\n" and not (checkout / ".tools").exists()
