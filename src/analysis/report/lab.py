"""`make lab`: JupyterLab on the workspace's notebooks/ folder, as root too, with or without a browser.

    python -m analysis.report.lab [--root DIR] [--dry-run] [JUPYTER LAB OPTIONS ...]

- Lab's root is ``<root>/notebooks``: the analysts' notebooks are what it shows.
- Its kernels get ``ANALYSIS_ROOT=<root>``, so ``analysis.load()`` reads this workspace (or a copy).
- Run as root (CI, containers, many developers' machines), Jupyter refuses to start without
  ``--allow-root``: it is passed then, and only then.
- Where no browser can be opened (no display on Linux, or Python's `webbrowser` finds none or only
  a text-mode one) ``--no-browser`` is passed; Jupyter prints the URL with its token either way.

Other options go to ``jupyter lab`` as given: ``make lab LAB_ARGS="--port=8899 --ip=0.0.0.0"``.
"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import webbrowser
from pathlib import Path

from analysis.contract import paths

NOTEBOOKS = "notebooks"
TEXT_BROWSERS = {"www-browser", "links", "links2", "elinks", "lynx", "w3m"}  # would take over the terminal
_UNIX_DISPLAYS = ("linux", "freebsd", "openbsd", "netbsd", "sunos")


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def has_browser(env=None, platform: str | None = None) -> bool:
    """Whether Jupyter can open a (graphical) browser here."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if env.get("BROWSER"):                      # the user's choice, which `webbrowser` follows
        return True
    if platform.startswith(_UNIX_DISPLAYS) and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    return getattr(browser, "name", "") not in TEXT_BROWSERS


def command(root: Path, extra: list[str] | tuple[str, ...] = (), *, as_root: bool | None = None,
            browser: bool | None = None) -> list[str]:
    """The `jupyter lab` command line for the workspace at `root`."""
    as_root = running_as_root() if as_root is None else as_root
    browser = has_browser() if browser is None else browser
    given = {a.split("=")[0] for a in extra}
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={Path(root).resolve() / NOTEBOOKS}"]
    if as_root and "--allow-root" not in given:
        cmd.append("--allow-root")
    if not browser and not given & {"--no-browser", "--browser", "--ServerApp.open_browser"}:
        cmd.append("--no-browser")
    return cmd + list(extra)


def environment(root: Path, env=None) -> dict[str, str]:
    """The server's environment (inherited by its kernels): ANALYSIS_ROOT is the workspace."""
    return {**(os.environ if env is None else env), paths.ENV: str(Path(root).resolve())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.report.lab", allow_abbrev=False,
                                     description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=None, help="the workspace (default: $ANALYSIS_ROOT or this checkout)")
    parser.add_argument("--dry-run", action="store_true", help="print the command line and stop")
    args, extra = parser.parse_known_args(argv)
    root = Path(args.root or paths.root()).resolve()
    if not (root / NOTEBOOKS).is_dir():
        parser.error(f"{root / NOTEBOOKS}: no such folder (expected the workspace's notebooks/)")
    cmd = command(root, extra)
    notes = [f"ANALYSIS_ROOT={root}"]
    if "--allow-root" in cmd and "--allow-root" not in extra:
        notes.append("running as root: --allow-root")
    if "--no-browser" in cmd and "--no-browser" not in extra:
        notes.append("no browser to open: --no-browser, open the URL with the token printed below")
    print(f"JupyterLab on {root / NOTEBOOKS} ({'; '.join(notes)})")
    print(shlex.join(cmd), flush=True)
    if args.dry_run:
        return 0
    env = environment(root)
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)   # Jupyter itself gets Ctrl-C and the signals of `make`
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
