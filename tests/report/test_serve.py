"""analysis.report.serve: `analysis serve` puts reports/_site on a local web server."""
import threading
import urllib.request

from analysis import cli
from analysis.report import serve


def test_the_server_serves_the_site_pages_and_search_index(tmp_path):
    (tmp_path / "index.html").write_text("<h1>Overview</h1>")
    (tmp_path / "search.json").write_text('[{"title": "Spending"}]')
    httpd = serve.server(tmp_path, port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}/"
        assert urllib.request.urlopen(base).read() == b"<h1>Overview</h1>"
        with urllib.request.urlopen(base + "search.json") as r:
            assert r.headers["Content-Type"] == "application/json" and b"Spending" in r.read()
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_serve_without_a_site_says_to_build_first(tmp_path, capsys):
    assert cli.main(["--root", str(tmp_path), "serve"]) == 1
    err = capsys.readouterr().err
    assert "no site in" in err and "reports/_site" in err and "make build" in err
