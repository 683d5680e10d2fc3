"""Quarto post-render step: the pages work when opened from disk (file://). Standard library only.

Quarto 1.9 loads site_libs/quarto-html/quarto.js (which imports ./tabsets/tabsets.js) with
<script type="module"> (src/format/html/format-html.ts:140-166, for every bootstrap page).
Browsers refuse module scripts from file:// ("blocked by CORS policy", origin 'null'), so the
TOC scroll-spy, tabsets, code copy and tooltips of quarto.js would never run from disk.

This step
  1. writes site_libs/quarto-html/quarto-nomodule.js: tabsets.js wrapped in a function that
     returns its exports, then quarto.js without its import line, all in one IIFE (module code is
     strict and has its own scope; the IIFE keeps both);
  2. in every page replaces <script src="...site_libs/quarto-html/quarto.js" type="module"> by
     <script src=".../quarto-nomodule.js" defer> (module scripts are deferred too: same order)
     and drops the tabsets.js module tag;
  3. fails (exit 1) if a page keeps another <script type="module" src=...>, or quarto.js imports
     or exports in a way it does not know (a newer Quarto changed the files: look again).

`analysis.report.publish.quarto_config` runs it as the project's post-render command
(`<python> -m analysis.report.quarto_nomodule`); Quarto runs that after full and single-page
renders with the project folder as cwd and QUARTO_PROJECT_OUTPUT_DIR set. By hand:
`python -m analysis.report.quarto_nomodule SITE_DIR`. Idempotent.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

LIB = Path("site_libs/quarto-html")
OUT_NAME = "quarto-nomodule.js"
IMPORT_RE = re.compile(r'^\s*import\s+\*\s+as\s+(\w+)\s+from\s+"\./([\w/.-]+\.js)";?\s*$', re.M)
ANY_IMPORT_RE = re.compile(r"^\s*import\b", re.M)
EXPORT_FN_RE = re.compile(r"^export\s+(?:async\s+)?function\s+(\w+)", re.M)
MODULE_TAG_RE = re.compile(r'<script\b[^>]*\btype="module"[^>]*>\s*</script>\s*\n?', re.I)
SRC_RE = re.compile(r'\bsrc="([^"]*)"')


class NoModuleError(RuntimeError):
    """A page or quarto.js has a shape this step does not handle."""


def classic_quarto_js(lib_dir: Path) -> str:
    """quarto.js and the modules it imports as one classic (non-module) script."""
    main = (lib_dir / "quarto.js").read_text(encoding="utf-8")
    parts = ['/* quarto.js as a classic script for file:// pages (made by analysis.report.quarto_nomodule) */',
             "(function () {", '"use strict";']
    for name, rel in IMPORT_RE.findall(main):
        src = (lib_dir / rel).read_text(encoding="utf-8")
        if ANY_IMPORT_RE.search(src):
            raise NoModuleError(f"{rel} imports other modules: not handled")
        names = EXPORT_FN_RE.findall(src)
        body = EXPORT_FN_RE.sub(lambda m: m.group(0).replace("export ", "", 1), src)
        if re.search(r"^\s*export\b", body, re.M):
            raise NoModuleError(f"{rel} has exports other than 'export function': not handled")
        parts.append(f"var {name} = (function () {{\n{body}\nreturn {{ {', '.join(f'{n}: {n}' for n in names)} }};\n}})();")
    main = IMPORT_RE.sub("", main)
    if ANY_IMPORT_RE.search(main) or re.search(r"^\s*export\b|import\.meta", main, re.M):
        raise NoModuleError("quarto.js has imports/exports this script does not handle")
    parts += [main, "})();", ""]
    return "\n".join(parts)


def fix_page(path: Path) -> bool:
    """Rewrite the module tags of one page; True if it changed."""
    text = path.read_text(encoding="utf-8")

    def repl(m):
        tag = m.group(0)
        src = SRC_RE.search(tag)
        if not src:
            raise NoModuleError(f"{path}: inline module script (not handled)")
        url = src.group(1)
        if url.endswith("site_libs/quarto-html/quarto.js"):
            return f'<script src="{url[:-len("quarto.js")]}{OUT_NAME}" defer></script>\n'
        if url.endswith("site_libs/quarto-html/tabsets/tabsets.js"):
            return ""  # inlined in quarto-nomodule.js
        if url.startswith("data:"):
            return tag  # embed-resources pages: data: modules load from file:// too
        raise NoModuleError(f"{path.name}: module script {url} (not handled)")

    new = MODULE_TAG_RE.sub(repl, text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def fix_site(site_dir: Path, pages: list[Path] | None = None) -> int:
    """Write the classic quarto.js into the site and fix `pages` (default: every .html)."""
    site_dir = Path(site_dir)
    lib = site_dir / LIB
    if (lib / "quarto.js").exists():
        (lib / OUT_NAME).write_text(classic_quarto_js(lib), encoding="utf-8")
    pages = pages if pages is not None else sorted(site_dir.rglob("*.html"))
    pages = [p for p in pages if p.suffix == ".html" and p.exists() and "site_libs" not in p.parts]
    return sum(fix_page(p) for p in pages)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Quarto sets QUARTO_PROJECT_OUTPUT_DIR (absolute, or relative to the project dir: our cwd).
    # Its QUARTO_PROJECT_OUTPUT_FILES lists only the pages of this render; every page is checked
    # anyway (cheap, idempotent, and it catches pages kept from an earlier render).
    out_dir = os.environ.get("QUARTO_PROJECT_OUTPUT_DIR") or (argv[0] if argv else None)
    if not out_dir:
        print(__doc__)
        return 2
    try:
        changed = fix_site(Path(out_dir))
    except NoModuleError as exc:
        print(f"quarto_nomodule: {exc}", file=sys.stderr)
        return 1
    if os.environ.get("QUARTO_PROJECT_SCRIPT_QUIET") != "1":
        print(f"quarto_nomodule: {changed} page(s) switched to the classic quarto.js")
    return 0


if __name__ == "__main__":
    sys.exit(main())
