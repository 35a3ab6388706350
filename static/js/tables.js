/* Tables (class "table"): a cell that holds a number or a code is marked "num" (css/tuopin.css:
   right-aligned, tabular figures, never wrapped), and so are the placeholders ("–", "no data") of a
   column whose other cells are all numbers or codes; that column's header is marked "num-head"
   (right-aligned). A number or code is text that starts with a digit (or a sign) and holds nothing
   but digits, separators, "%", the "*" of a masked number and the characters of a date or time:
   "621126", "1,482", "15.17%", "6211261000**0001", "2026-12-07 05:43", "2026年12月7日 05:43".
   A short cell with a number in its text ("score 0-100") is marked "nowrap" (one line).
   Chinese words stay whole: Intl.Segmenter finds them, a <wbr> goes between them and the cell (class
   "words") breaks nowhere else; where the browser has no segmenter, between any two characters.
   Without JavaScript the tables still keep their words whole and scroll inside their wrapper. */
(function () {
  "use strict";
  var NUMERIC = /^[-−+]?\d[\d\s.,:/%‰*年月日时分秒+\-−–]*$/;
  var PLACEHOLDER_MAX = 12;  // a cell without a digit and at most this long ("–", "无数据", "no data")
  var SHORT_MAX = 20;  // a short text with a number ("score 0-100") is kept on one line too: "nowrap"

  var CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter("zh-Hans", { granularity: "word" }) : null;

  function keepWords(cell) {
    if (!segmenter || !CJK.test(cell.textContent)) { return; }
    var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), nodes = [], node;
    while ((node = walker.nextNode())) { if (CJK.test(node.data)) { nodes.push(node); } }
    nodes.forEach(function (textNode) {
      var fragment = document.createDocumentFragment(), previous = "";
      Array.from(segmenter.segment(textNode.data)).forEach(function (part) {
        // between two Chinese words only: "得分 0-100" and "2026年12月7日" keep their numbers whole
        if (CJK.test(previous) && CJK.test(part.segment)) { fragment.appendChild(document.createElement("wbr")); }
        fragment.appendChild(document.createTextNode(part.segment));
        previous = part.segment;
      });
      textNode.parentNode.replaceChild(fragment, textNode);
    });
    cell.classList.add("words");
  }

  function text(cell) { return cell.textContent.replace(/\s+/g, " ").trim(); }

  function mark(table) {
    var columns = {};  // column index -> its body cells: numbers, placeholders, others
    Array.prototype.forEach.call(table.rows, function (row) {
      var simple = Array.prototype.every.call(row.cells, function (c) { return c.colSpan === 1; });
      Array.prototype.forEach.call(row.cells, function (cell, i) {
        var t = text(cell);
        var numeric = NUMERIC.test(t);
        keepWords(cell);
        if (numeric) { cell.classList.add("num"); } else if (/\d/.test(t) && t.length <= SHORT_MAX) { cell.classList.add("nowrap"); }
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
