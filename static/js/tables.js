/* Tables (class "table"): a cell that holds a number or a code is marked "num" (css/tuopin.css:
   right-aligned, tabular figures, never wrapped), and so are the placeholders ("–", "no data") of a
   column whose other cells are all numbers or codes; that column's header is marked "num-head"
   (right-aligned). A number or code is text that starts with a digit (or a sign) and holds nothing
   but digits, separators, "%", the "*" of a masked number and the characters of a date or time:
   "621126", "1,482", "15.17%", "6211261000**0001", "2026-12-07 05:43", "2026年12月7日 05:43".
   A short cell (a name, a label, "score 0-100", "yes (ex-poor, unstable)") is marked "nowrap" (one
   line); a longer one (a list of reasons) wraps only at spaces and punctuation: css/tuopin.css keeps
   every word whole (keep-all), so tables work without JavaScript too and scroll inside their wrapper. */
(function () {
  "use strict";
  var NUMERIC = /^[-−+]?\d[\d\s.,:/%‰*年月日时分秒+\-−–]*$/;
  var PLACEHOLDER_MAX = 12;  // a cell without a digit and at most this long ("–", "无数据", "no data")
  var SHORT_MAX = 24;  // a text at most this long (a name, a label) is kept on one line: "nowrap"

  function text(cell) { return cell.textContent.replace(/\s+/g, " ").trim(); }

  function mark(table) {
    var columns = {};  // column index -> its body cells: numbers, placeholders, others
    Array.prototype.forEach.call(table.rows, function (row) {
      var simple = Array.prototype.every.call(row.cells, function (c) { return c.colSpan === 1; });
      Array.prototype.forEach.call(row.cells, function (cell, i) {
        var t = text(cell);
        var numeric = NUMERIC.test(t);
        if (numeric) { cell.classList.add("num"); } else if (t.length <= SHORT_MAX) { cell.classList.add("nowrap"); }
        if (!simple || (row.parentNode && row.parentNode.tagName === "THEAD")) { return; }
        var col = columns[i] = columns[i] || { numbers: 0, others: 0, placeholders: [] };
        if (numeric) { col.numbers++; } else if (!/\d/.test(t) && t.length <= PLACEHOLDER_MAX) { col.placeholders.push(cell); } else { col.others++; }
      });
    });
    var head = table.tHead && table.tHead.rows.length === 1 ? table.tHead.rows[0] : null;
    Object.keys(columns).forEach(function (i) {
      var col = columns[i];
      if (!col.numbers || col.others) { return; }
      col.placeholders.forEach(function (cell) { cell.classList.add("num"); });
      if (head && head.cells.length > i && head.cells[i].colSpan === 1) { head.cells[i].classList.add("num-head"); }
    });
  }

  function markAll() { Array.prototype.forEach.call(document.querySelectorAll("table.table"), mark); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", markAll); } else { markAll(); }
})();
