#!/usr/bin/env bash
# Run a command (make test: the test suite) with Quarto on PATH whenever one can be had:
#   - a `quarto` already on PATH (e.g. from environment.yml) is used as it is;
#   - else, when ../shared/tools/quarto/install.sh lies next to the checkout (the CI machine),
#     Quarto 1.9.38 is installed into .tools/quarto/ of the checkout (ignored by git; once: later
#     runs find it in place and say nothing) and .tools/quarto/bin goes first on PATH;
#   - else nothing changes and the Quarto tests skip with a message.
# With the installer present ANALYSIS_REQUIRE_QUARTO=1 is exported: tests/conftest.py then turns
# a skipped Quarto test into a failure (in CI every Quarto test must run).
#
#   scripts/with-quarto.sh .venv/bin/python -m pytest
# PYTHON= names the Python whose pip the installer uses (default python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INSTALLER="$ROOT/../shared/tools/quarto/install.sh"
PREFIX="$ROOT/.tools/quarto"
STAMP="$PREFIX/.installed"          # holds the checksum of the install.sh that installed it
LOG="$ROOT/.tools/quarto-install.log"

[ "$#" -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

if [ -f "$INSTALLER" ]; then
  export ANALYSIS_REQUIRE_QUARTO=1
fi

if ! command -v quarto >/dev/null 2>&1; then
  if [ -f "$INSTALLER" ]; then
    want="$(cksum < "$INSTALLER")"
    if [ ! -x "$PREFIX/bin/quarto" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
      echo "installing Quarto from ../shared/tools/quarto into .tools/quarto (takes up to a minute)..."
      mkdir -p "$ROOT/.tools"
      rm -f "$STAMP"
      py="${PYTHON:-python3}"
      case "$py" in */*) py="$(cd "$(dirname "$py")" && pwd)/$(basename "$py")" ;; esac
      if PREFIX="$PREFIX" PYTHON="$py" bash "$INSTALLER" >"$LOG" 2>&1; then
        echo "$want" > "$STAMP"
        echo "installed: $(tail -n 1 "$LOG")"
      else
        echo "error: installing Quarto failed (PREFIX=.tools/quarto bash ../shared/tools/quarto/install.sh)." >&2
        echo "The installer said (full log: .tools/quarto-install.log):" >&2
        tail -n 25 "$LOG" | sed 's/^/  /' >&2
        exit 1
      fi
    fi
    export PATH="$PREFIX/bin:$PATH"
  else
    echo "note: no quarto on PATH and no ../shared/tools/quarto/install.sh: the Quarto tests will be skipped."
  fi
fi

exec "$@"
