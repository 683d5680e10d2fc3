/* Sorting and filtering for the site's long tables (analysis.report.html_tables), no dependencies.
   A table with data-sortable="true" sorts by a column when its header is clicked (again: the other
   way round) and gets a filter field that hides the rows not containing the typed text. Numbers
   are read in German/Danish format (1.234,5; 12,5 %). Without this script the tables still show. */
(function () {
  "use strict";
  function number(text) {
    var t = text.replace(/\u00a0/g, " ").replace(/%/g, "").trim().replace(/\u2212/g, "-");
    if (!/^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/.test(t)) { return null; }
    return parseFloat(t.replace(/\./g, "").replace(",", "."));
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var up = th.getAttribute("aria-sort") !== "ascending";
    var cells = rows.map(function (r) { var c = r.cells[index]; return c ? c.textContent : ""; });
    var keys = cells.map(number);
    rows.forEach(function (r, i) { r._key = keys[i]; r._text = cells[i]; r._pos = i; });
    rows.sort(function (a, b) {
      var x = a._key, y = b._key, d;
      if (x !== null && y !== null) { d = x - y; }
      else if (x !== null) { d = -1; }      /* numbers before texts such as 'no figures in source' */
      else if (y !== null) { d = 1; }
      else { d = a._text.localeCompare(b._text, "de"); }
      if (d === 0) { return a._pos - b._pos; }
      return up ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
  }
  function filter(table, text) {
    var q = text.trim().toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
    });
  }
  function enhance(table) {
    if (table.getAttribute("data-enhanced")) { return; }
    table.setAttribute("data-enhanced", "true");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      th.title = "sort by this column";
      th.addEventListener("click", function () { sortBy(table, i, th); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(table, i, th); } });
    });
    var input = document.createElement("input");
    input.type = "search";
    input.className = "analysis-table-filter";
    input.placeholder = "Filter rows";
    input.setAttribute("aria-label", "filter the rows of this table");
    input.addEventListener("input", function () { filter(table, input.value); });
    table.parentNode.insertBefore(input, table);
  }
  function run() {
    Array.prototype.forEach.call(document.querySelectorAll('table[data-sortable="true"]'), enhance);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); } else { run(); }
})();
