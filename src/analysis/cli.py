"""The `analysis` command: extract, build, serve, validate, new-municipality."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from analysis.contract.errors import InputError
from analysis.contract.lock import LockBusy

# jsonschema (imported by nbformat) compiles the grammar of its optional rfc3987_syntax for seconds
# in every process; the command skips it as the build's notebook processes do (analysis.report.runner):
# only jsonschema's 'iri' format check is lost, which no notebook schema uses.
sys.modules.setdefault("rfc3987_syntax", None)

EXIT_SIGPIPE = 141  # what a shell reports for a process ended by SIGPIPE (`analysis validate | head`)


def _extract(args) -> int:
    from analysis.contract import paths
    from analysis.sources import extract
    folder = paths.processed_dir(args.root)
    before = _identity(folder)
    try:
        result = extract.run(args.root, wait=args.wait)
    except KeyboardInterrupt:
        changed = _identity(folder) != before
        print("interrupted: " + ("data/processed/ was rebuilt" if changed else "data/processed/ is unchanged"),
              file=sys.stderr)
        return 130
    print(result.summary())
    return 0


def _identity(folder: Path):
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _quiet_pipe() -> int:
    """The reader of stdout went away: exit quietly (no traceback, no flush error at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_SIGPIPE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="analysis", description=__doc__)
    parser.add_argument("--root", type=Path, default=None,
                        help="workspace folder (default: this checkout, or $ANALYSIS_ROOT)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="rebuild data/processed/ from data/raw/, data/curated/, data/municipalities/ "
                                       "and data/reference/")
    p.add_argument("--no-wait", dest="wait", action="store_false",
                   help="exit at once when another extract or build is running in the workspace")
    p.set_defaults(func=_extract)
    from analysis.report import build, serve
    from analysis.sources import scaffold, validate
    for mod, name, helptext in ((build, "build", "extract if needed, run the notebooks, publish the reports"),
                                (serve, "serve", "serve reports/_site on http://127.0.0.1:8000/ (search works there)"),
                                (validate, "validate", "check municipality tables against the contract"),
                                (scaffold, "new-municipality", "create the folder and empty tables for a municipality")):
        p = sub.add_parser(name, help=helptext, description=(mod.__doc__ or helptext))
        mod.add_arguments(p)
        p.set_defaults(func=mod.run_cli)
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _quiet_pipe()
    except LockBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("nothing was changed: the previous outputs are kept.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
