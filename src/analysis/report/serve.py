"""`analysis serve`: the published site (reports/_site/) on a local web server.

The site works opened from disk; served, the Quarto site's search works too (it fetches
search.json, which browsers refuse for file:// pages). Only this machine can connect
(127.0.0.1); Ctrl-C stops the server.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

from analysis.report.runner import workspace_root

SITE = Path("reports") / "_site"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # one line per request is noise for a reader
        pass


def server(site_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A server for `site_dir` (not started: call serve_forever); port 0 picks a free one."""
    handler = functools.partial(_Handler, directory=str(site_dir))
    return http.server.ThreadingHTTPServer((host, port), handler)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free port)")
    parser.add_argument("--site", type=Path, default=None, help="the site folder (default: reports/_site)")


def run_cli(args) -> int:
    site = args.site or workspace_root(getattr(args, "root", None)) / SITE
    if not (site / "index.html").is_file():
        print(f"error: no site in {site} (no index.html): run `make build` (or `analysis build`) first",
              file=sys.stderr)
        return 1
    try:
        httpd = server(site, port=args.port)
    except OSError as exc:
        print(f"error: cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}; choose another with --port",
              file=sys.stderr)
        return 1
    with httpd:
        print(f"serving {site} at http://127.0.0.1:{httpd.server_address[1]}/ (Ctrl-C stops)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0
