"""The `analysis` command: extract, build, serve, validate, new-municipality."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.contract.errors import InputError


def _extract(args) -> int:
    from analysis.sources import extract
    result = extract.run(args.root)
    print(result.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="analysis", description=__doc__)
    parser.add_argument("--root", type=Path, default=None,
                        help="workspace folder (default: this checkout, or $ANALYSIS_ROOT)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="rebuild data/processed/ from data/raw/ and data/reference/")
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
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("nothing was changed: the previous outputs are kept.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
