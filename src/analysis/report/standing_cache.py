"""The build's pre-step for the profiles: the standing of all municipalities, computed once.

    python -m analysis.report.standing_cache --root R --cache DIR [--fiscal-year latest] [--phase most_realised]

loads the workspace (data/processed/ as it is), checks the parameters as the profile notebook
does, computes `Workspace.standing` and writes it to DIR/<standing_key>/ unless it is there; then
prints one JSON line: {"key": ..., "deps": {municipality_id: digest of what its profile reads}}.
`analysis build` runs it in a child process (its memory is returned when it ends) and passes DIR
to the notebooks as $ANALYSIS_STANDING_DIR.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from analysis.report.runner import _SKIP_SLOW


def prepare(root: Path, cache: Path, fiscal_year="latest", phase="most_realised") -> dict:
    import analysis
    from analysis import api
    from analysis.report import params
    ws = analysis.load(root, refresh=False)
    base_year = max(params.price_index_years(ws, ws.municipalities["country"].unique()) or [None])
    fy = params.fiscal_year(ws, fiscal_year)
    ph = params.phase(phase)
    key = api.standing_key(root, base_year, fy, ph)
    folder = cache / key
    deps_file = folder / "deps.json"
    if deps_file.exists() and (folder / "facts.pkl").exists():
        return {"key": key, "deps": json.loads(deps_file.read_text(encoding="utf-8"))}
    st = ws.standing(base_year, fy, ph)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".standing-", dir=cache))
    try:
        deps = api.write_standing(st, tmp)
        (tmp / "deps.json").write_text(json.dumps(deps, indent=0), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"key": key, "deps": deps}


def run(root: Path, cache: Path, fiscal_year="latest", phase="most_realised") -> dict:
    """`prepare` in a child process; raises RuntimeError with its last lines when it fails."""
    package_parent = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p))
    cmd = [sys.executable, "-c", _SKIP_SLOW + "from analysis.report.standing_cache import main; main()",
           "--root", str(root), "--cache", str(cache), "--fiscal-year", json.dumps(fiscal_year),
           "--phase", json.dumps(phase)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise RuntimeError(f"the profiles' standing could not be computed:\n{tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="analysis.report.standing_cache")
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--fiscal-year", default='"latest"', help="JSON")
    ap.add_argument("--phase", default='"most_realised"', help="JSON")
    a = ap.parse_args(argv)
    out = prepare(a.root, a.cache, json.loads(a.fiscal_year), json.loads(a.phase))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
