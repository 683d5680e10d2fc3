"""analysis.report.quarto_nomodule: Quarto's module scripts become one classic script (file:// works)."""
import pytest

from analysis.report import quarto_nomodule as qn

QUARTO_JS = 'import * as tabsets from "./tabsets/tabsets.js";\nwindow.quartoRan = true;\ntabsets.init();\n'
TABSETS_JS = "export function init() { window.tabsetsRan = true; }\nexport async function later() {}\n"
PAGE = ('<html><head>\n<script src="site_libs/quarto-html/quarto.js" type="module"></script>\n'
        '<script src="site_libs/quarto-html/tabsets/tabsets.js" type="module"></script>\n'
        '<script src="site_libs/quarto-nav/quarto-nav.js"></script>\n</head><body></body></html>\n')


def _site(tmp_path, quarto_js=QUARTO_JS, page=PAGE):
    lib = tmp_path / "site_libs" / "quarto-html"
    (lib / "tabsets").mkdir(parents=True)
    (lib / "quarto.js").write_text(quarto_js)
    (lib / "tabsets" / "tabsets.js").write_text(TABSETS_JS)
    (tmp_path / "index.html").write_text(page)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.html").write_text(page.replace('src="site_libs', 'src="../site_libs'))
    return tmp_path


def test_module_tags_become_one_deferred_classic_script(tmp_path):
    site = _site(tmp_path)
    assert qn.fix_site(site) == 2
    index = (site / "index.html").read_text()
    assert '<script src="site_libs/quarto-html/quarto-nomodule.js" defer></script>' in index
    assert 'type="module"' not in index and "tabsets.js" not in index
    assert '<script src="site_libs/quarto-nav/quarto-nav.js"></script>' in index      # others untouched
    assert '<script src="../site_libs/quarto-html/quarto-nomodule.js" defer>' in (site / "sub" / "page.html").read_text()
    js = (site / "site_libs" / "quarto-html" / "quarto-nomodule.js").read_text()
    assert js.index("(function () {") < js.index('"use strict";') < js.index("var tabsets = (function () {")
    assert "export" not in js and "import" not in js
    assert "return { init: init, later: later };" in js and js.rstrip().endswith("})();")
    assert js.index("function init()") < js.index("window.quartoRan = true;")
    assert qn.fix_site(site) == 0 and (site / "index.html").read_text() == index      # idempotent


def test_an_unknown_module_script_fails_the_render(tmp_path, monkeypatch, capsys):
    site = _site(tmp_path, page=PAGE + '<script type="module" src="site_libs/axe/axe-check.js"></script>\n')
    monkeypatch.setenv("QUARTO_PROJECT_OUTPUT_DIR", str(site))
    assert qn.main([]) == 1
    assert "module script site_libs/axe/axe-check.js (not handled)" in capsys.readouterr().err


@pytest.mark.parametrize("quarto_js", [
    'import { init } from "./tabsets/tabsets.js";\ninit();\n',
    QUARTO_JS + "export const x = 1;\n",
    QUARTO_JS + "console.log(import.meta.url);\n"])
def test_a_changed_quarto_js_is_refused(tmp_path, quarto_js):
    with pytest.raises(qn.NoModuleError):
        qn.fix_site(_site(tmp_path, quarto_js=quarto_js))


def test_main_takes_the_site_from_quarto_or_the_command_line(tmp_path, monkeypatch, capsys):
    site = _site(tmp_path)
    monkeypatch.delenv("QUARTO_PROJECT_OUTPUT_DIR", raising=False)
    assert qn.main([str(site)]) == 0
    assert "2 page(s) switched to the classic quarto.js" in capsys.readouterr().out
    assert qn.main([]) == 2
