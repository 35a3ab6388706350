/* Drill-down charts below county level, drawn with the vendored plotly.js (no CDN).
   The page puts its data in <script id="drilldown-data" type="application/json">:
   - kind "bars": a measure of each child region, already ranked (best first) → horizontal bars;
   - kind "village": histograms of the households' EQI and D1-D4, and the AF contributions (when the
     village has none, the page says why in place of their box and there is nothing to draw).
   Every axis has a title (in the page's language) and room for its labels (automargin); the title of
   the names' axis stands off its labels (a standoff makes automargin leave room for both).
   Changing a selector of the controls form reloads the page with the new choice. */
(function () {
  "use strict";
  var source = document.getElementById("drilldown-data");
  var form = document.getElementById("drilldown-controls");
  if (form) {
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
      select.addEventListener("change", function () { form.submit(); });
    });
  }
  if (!source || typeof Plotly === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var config = {
    responsive: true, displaylogo: false, showSendToCloud: false, showEditInChartStudio: false,
    plotlyServerURL: "", modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"]
  };

  function scaled(value, unit) { return unit === "share" ? value * 100 : value; }
  function suffix(unit) { return unit === "share" ? " %" : ""; }

  function bars(el) {
    var values = data.values.map(function (v) { return scaled(v, data.unit); });
    var trace = {
      type: "bar", orientation: "h", x: values, y: data.names,
      customdata: data.codes, marker: { color: "#b33a3a" },
      text: data.texts,  // formatted on the server, as the table (config.formats: one format everywhere)
      textposition: "auto",
      hovertemplate: "%{y} (%{customdata})<br>" + data.label + ": %{text}<extra></extra>"
    };
    var layout = {
      margin: { l: 20, r: 20, t: 10, b: 40 },
      yaxis: { autorange: "reversed", automargin: true, title: { text: data.axis, standoff: 12 } },
      xaxis: { title: { text: data.label + suffix(data.unit) }, rangemode: "tozero", automargin: true }
    };
    Plotly.newPlot(el, [trace], layout, config);
  }

  function village(el) {
    var n = data.histograms.length;
    var traces = data.histograms.map(function (h, i) {
      var axis = i === 0 ? "" : String(i + 1);
      return {
        type: "histogram", name: h.label, x: h.values.filter(function (v) { return v !== null; }),
        xbins: { start: 0, end: 100, size: 10 }, xaxis: "x" + axis, yaxis: "y" + axis,
        marker: { color: i === 0 ? "#b33a3a" : "#486581" },
        hovertemplate: h.label + " %{x}: %{y} " + data.householdsLabel + "<extra></extra>"
      };
    });
    var layout = { showlegend: false, margin: { l: 40, r: 10, t: 30, b: 40 },
                   grid: { rows: 1, columns: n, pattern: "independent" }, annotations: [] };
    data.histograms.forEach(function (h, i) {
      var axis = i === 0 ? "" : String(i + 1);
      layout["xaxis" + axis] = { range: [0, 100], title: { text: data.scoreAxis, font: { size: 11 } }, automargin: true };
      layout["yaxis" + axis] = { rangemode: "tozero", title: { text: data.householdsLabel, font: { size: 11 } }, automargin: true };
      layout.annotations.push({ text: h.label, showarrow: false, xref: "x" + axis + " domain", yref: "paper",
                                x: 0.5, y: 1.08, xanchor: "center" });
    });
    Plotly.newPlot(el, traces, layout, config);
    var af = document.getElementById("drilldown-af");
    if (af && data.af.values.length) {
      Plotly.newPlot(af, [{
        type: "bar", orientation: "h", y: data.af.labels, x: data.af.values.map(function (v) { return v * 100; }),
        marker: { color: "#486581" }, hovertemplate: "%{y}: %{x:.2f}%<extra></extra>"
      }], { margin: { l: 20, r: 20, t: 10, b: 40 }, yaxis: { automargin: true, autorange: "reversed", title: { text: data.af.axis, standoff: 12 } },
            xaxis: { title: { text: data.af.title + " %" }, rangemode: "tozero", automargin: true } }, config);
    }
  }

  var el = document.getElementById("drilldown-chart");
  if (!el) { return; }
  if (data.kind === "bars") { bars(el); } else if (data.kind === "village") { village(el); }
})();
