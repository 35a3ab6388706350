/* The exit-quality dashboard: a county choropleth by any registry measure (quantile classes, computed
   on the server), KPI cards, D1-D4/EQI trend lines, the poverty incidence and M0 with their 95 % bands, a radar
   against the parent and rankings (marked ≈ where a county's interval overlaps a neighbour's).
   The geometry is fetched once (/geo/3.topojson); a measure switch only restyles the map.
   Bench hooks: window.__tuopinTimings.scriptStart (milliseconds from navigation start), .firstRender
   (milliseconds from script start until Plotly has
   drawn the map), .mapPainted (milliseconds from navigation start until the frame with the map has
   been painted; the focus charts are drawn next, .focusRender), .measureSwitch (from the switch until the map shows the new measure's colours) and
   .measureRedraw (until Plotly has redrawn the map from the new trace). */
(function () {
  "use strict";
  var t0 = performance.now();
  var D = JSON.parse(document.getElementById("dashboard-data").textContent);
  var L = D.labels;
  var locale = D.lang.indexOf("zh") === 0 ? "zh-CN" : "en";
  var NO_DATA = D.noDataColour;  // the colours come from regions/map_style.py: darker is worse on every measure
  var PLOT_CONFIG = { topojsonURL: D.topojsonUrl, responsive: true, displaylogo: false, showSendToCloud: false, showEditInChartStudio: false,
                      plotlyServerURL: "", modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"] };
  var measures = {};
  D.measures.forEach(function (m) { measures[m.code] = m; });
  var timings = window.__tuopinTimings = window.__tuopinTimings || {};
  timings.scriptStart = t0;
  var state = { measure: D.measure, focus: D.focus.selected, geojson: null };

  var numberFormats = {
    share: new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    score: new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    ratio: new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    coefficient: new Intl.NumberFormat(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }),  // the Gini
    yuan: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    count: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })
  };
  function fmt(value, unit) {
    if (value === null || value === undefined) { return L.noData; }
    return (numberFormats[unit] || numberFormats.ratio).format(value);
  }
  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }
  function colour(cls, m) { return m.colours[cls]; }  // class 0 holds the lowest values
  /* A translated template with %(name)s fields (and %% for a percent sign), as gettext gives it. */
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, key) { return String(values[key]); }).replace(/%%/g, "%");
  }
  /* The EQI's rank band of map row i (median, 5th-95th percentile), or null when it is not ranked. */
  function band(i) {
    var B = M && M.bands;
    if (!B || !B.median || B.median[i] === null || B.median[i] === undefined) { return null; }
    return { rank: B.rank[i], median: B.median[i], low: B.low[i], high: B.high[i], ranked: B.ranked };
  }
  function bandText(b) {
    return fill(L.band, { median: numberFormats.count.format(b.median), low: numberFormats.count.format(b.low),
                          high: numberFormats.count.format(b.high) });
  }

  function runMeta(periodText) {
    if (!D.run) { return esc(L.noRun); }
    return esc(L.period) + " " + esc(periodText) + " · " + esc(L.methodology) + " " + esc(D.run.version) + " · " +
      esc(L.computed) + " " + esc(D.run.finished) + " · <a href=\"" + esc(D.methodologyUrl) + "\">" + esc(L.methodology) + "</a>";
  }
  document.querySelectorAll(".chart-meta").forEach(function (el) { el.innerHTML = runMeta(String(D.period)); });
  var povertyNote = document.getElementById("poverty-trend-note");
  if (povertyNote) { povertyNote.textContent = L.povertyTrendNote; }
  document.querySelectorAll("#trend-meta, #poverty-trend-meta").forEach(function (el) {
    el.innerHTML = runMeta(D.periods.length ? D.periods[0] + "–" + D.periods[D.periods.length - 1] : "");
  });

  /* ---- the map ---- */
  var mapEl = document.getElementById("dashboard-map");
  var mapData = document.getElementById("dashboard-map-data");
  var M = mapData ? JSON.parse(mapData.textContent) : null;
  var index = {};
  if (M) { M.codes.forEach(function (code, i) { index[code] = i; }); }

  function areaFeatures() {
    return state.geojson.features.filter(function (f) { return f.properties.code.indexOf(D.areaPrefix) === 0; });
  }

  function mapTrace() {
    var m = measures[state.measure];
    var features = areaFeatures();
    var values = M.values[m.code], classes = M.classes[m.code], ranks = M.ranks[m.code];
    var present = values.filter(function (v) { return v !== null; }).length;
    var z = [], text = [], locations = [];
    features.forEach(function (f) {
      var code = f.properties.code, i = index[code];
      var head = "<b>" + esc(i === undefined ? f.properties.name : M.names[i]) + "</b><br>" + esc(L.code) + ": " + esc(code) + "<br>";
      locations.push(code);
      if (i === undefined || values[i] === null) {
        z.push(-1);
        text.push(head + esc(i !== undefined && M.suppressed[i] ? L.suppressed : L.noData));
      } else {
        z.push(classes[i]);
        var b = m.code === "eqi" ? band(i) : null;
        text.push(head + esc(m.name) + ": " + fmt(values[i], m.unit) + "<br>" + esc(L.rank) + " " + ranks[i] + " " + esc(L.of) + " " + present +
          (b ? "<br>" + esc(fill(L.bandHover, { median: b.median, ranked: b.ranked, low: b.low, high: b.high })) : ""));
      }
    });
    // z is the class (-1 for no data), an integer at an exact stop of the scale: one colour per class
    var scale = [[0, NO_DATA]];
    for (var c = 0; c < m.colours.length; c++) { scale.push([(c + 1) / m.colours.length, colour(c, m)]); }
    return { type: "choropleth", geojson: state.geojson, featureidkey: "properties.code", locations: locations, z: z,
             zmin: -1, zmax: m.colours.length - 1, colorscale: scale, showscale: false, text: text, hoverinfo: "text",
             marker: { line: { width: 0.2, color: "#ffffff" } } };
  }

  function legend() {
    var m = measures[state.measure];
    var items = M.ranges[m.code].map(function (range, c) {
      if (!range.length) { return ""; }
      var low = fmt(range[0], m.unit), high = fmt(range[1], m.unit);  // a class of one value shows it once
      return "<li><span class=\"swatch\" style=\"background:" + colour(c, m) + "\"></span>" +
        (low === high ? low : low + " – " + high) + "</li>";
    }).join("");
    var without = M.counties - M.values[m.code].filter(function (v) { return v !== null; }).length;
    items += "<li><span class=\"swatch\" style=\"background:" + NO_DATA + "\"></span>" + esc(L.noData) + "</li>";
    document.getElementById("map-legend").innerHTML = items;
    document.getElementById("map-direction").textContent = m.better + " · " + L.darkerWorse;
    document.getElementById("map-summary").textContent = numberFormats.count.format(without) + " " + L.withoutData;
    document.getElementById("map-title").textContent = m.name;
    var overlaps = (M.overlaps || {})[m.code];  // intervals overlapping a neighbour's (sample designs only)
    var rows = M.codes.map(function (code, i) {
      return { code: code, name: M.names[i], value: M.values[m.code][i], rank: M.ranks[m.code][i], i: i, overlap: !!(overlaps && overlaps[i]) };
    })
      .filter(function (r) { return r.value !== null; })
      .sort(function (a, b) { return a.rank - b.rank || (a.code < b.code ? -1 : 1); });
    var withBands = m.code === "eqi" && !!(M.bands && M.bands.median);
    var note = document.getElementById("rankings-bands-note");
    if (note) { note.hidden = !withBands; }
    var marked = false;
    function list(items) {
      return items.map(function (r) {
        var b = withBands ? band(r.i) : null;
        var extra = withBands ? " <span class=\"band\">" + esc(b ? bandText(b) : L.bandNone) + "</span>" : "";
        marked = marked || r.overlap;
        var mark = r.overlap ? " <span class=\"rank-overlap\" title=\"" + esc(L.rankOverlap) + "\">≈</span>" : "";
        return "<li><a href=\"" + esc(D.regionUrl.replace("CODE", r.code)) + "\">" + esc(r.name) + "</a> " + fmt(r.value, m.unit) + mark + extra + "</li>";
      }).join("");
    }
    document.getElementById("strongest-title").textContent = L.strongest;
    document.getElementById("weakest-title").textContent = L.weakest;
    document.getElementById("strongest").innerHTML = list(rows.slice(0, 5));
    document.getElementById("weakest").innerHTML = list(rows.slice(-5).reverse());
    var rankNote = document.getElementById("rank-note");
    if (rankNote) { rankNote.textContent = L.rankOverlapNote; rankNote.hidden = !marked; }
  }

  /* The frame shows the counties with data when they are few (and the whole area otherwise, with
     the South China Sea islands in their own small frame): TuopinGeometry.mapView. */
  function drawMap() {
    var started = performance.now();
    legend();
    var trace = mapTrace(), values = M.values[state.measure];
    var view = window.TuopinGeometry.mapView(areaFeatures(), function (code) {
      return index[code] !== undefined && values[index[code]] !== null;
    }, mapEl.clientWidth, mapEl.clientHeight);
    var traces = [trace];
    state.inset = view.geo2 ? window.TuopinGeometry.insetPoints(trace.locations, view) : null;
    if (view.geo2) { traces.push(window.TuopinGeometry.insetTrace(trace, view)); }
    mapEl.setAttribute("data-view", view.zoomed ? "data" : "area");
    var layout = { margin: { l: 0, r: 0, t: 0, b: 0 }, geo: view.geo,
                   uirevision: "map" };  // a measure switch keeps the reader's zoom and pan
    if (view.geo2) { layout.geo2 = view.geo2; }
    return Plotly.react(mapEl, traces, layout, PLOT_CONFIG).then(function () { return performance.now() - started; });
  }

  /* ---- the focus region: KPIs, trend, radar ---- */
  function focusRow(code) {
    var s = D.focus.series[code];
    return s ? s.periods[D.period] : null;
  }
  function drawFocus() {
    var code = state.focus;
    var title = document.getElementById("focus-title");
    var kpis = document.getElementById("kpis");
    if (!code || !D.focus.series[code]) { title.textContent = L.noData; kpis.innerHTML = ""; return Promise.resolve(); }
    var s = D.focus.series[code];
    title.textContent = s.name;
    var row = focusRow(code) || {};
    var line = D.focus.exitLines[code];
    var incidence = fmt(row.headcount_ratio, "share");
    var exit = row.exit_check === true ? "<span class=\"ok\">" + esc(L.exitMet) + "</span>" :
      row.exit_check === false ? "<span class=\"bad\">" + esc(L.exitNotMet) + "</span>" : "";
    /* the flagged households, a link to the region's early-warning inbox for a reader who may open it */
    function flaggedValue(code, row) {
      var value = fmt(row.flagged_households, "count"), url = D.focus.warnings[code];
      return url ? "<a href=\"" + esc(url + (D.period ? "?period=" + D.period : "")) + "\">" + value + "</a>" : value;
    }
    function card(label, value, note) {
      return "<div class=\"kpi\"><div class=\"note\">" + esc(label) + "</div><div class=\"value\">" + value + "</div>" +
        (note ? "<div class=\"note\">" + note + "</div>" : "") + "</div>";
    }
    kpis.innerHTML = card(L.persons, fmt(row.persons, "count")) + card(L.households, fmt(row.households, "count")) +
      card(L.incidence, incidence, esc(L.exitLine) + " " + numberFormats.share.format(line) + (exit ? " · " + exit : "")) +
      card(L.flagged, flaggedValue(code, row));
    if (row.suppressed) {
      kpis.innerHTML += "<p class=\"meta\">" + esc(row.hidden === "level" ? L.belowPublic : L.suppressed) + "</p>";
    }

    var trend = D.trendCodes.map(function (m) {
      return { type: "scatter", mode: "lines+markers", name: measures[m].name, x: D.periods, connectgaps: false,
               y: D.periods.map(function (p) { var r = s.periods[p]; return r && r[m] !== null && r[m] !== undefined ? r[m] : null; }) };
    });
    var trendDone = Plotly.react("trend-chart", trend, {
      margin: { l: 10, r: 10, t: 10, b: 10 },
      xaxis: { type: "category", title: { text: L.periodAxis }, automargin: true },
      yaxis: { range: [0, 100], title: { text: L.scoreAxis }, automargin: true },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" }  // above: the period axis's title is below
    }, PLOT_CONFIG).then(function () { document.getElementById("trend-chart").setAttribute("data-rendered", "true"); });

    // poverty incidence and M0, with their 95 % bands where the households are a sample (traces built on the server)
    var povertyDone = Plotly.react("poverty-trend-chart", D.focus.povertyTrend[code] || [], {
      margin: { l: 10, r: 10, t: 10, b: 10 },
      xaxis: { type: "category", categoryorder: "array", categoryarray: D.periods, title: { text: L.periodAxis }, automargin: true },
      yaxis: { rangemode: "tozero", tickformat: ".0%", title: { text: L.shareAxis }, automargin: true },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" }
    }, PLOT_CONFIG).then(function () { document.getElementById("poverty-trend-chart").setAttribute("data-rendered", "true"); });

    var theta = D.dimensions.map(function (m) { return measures[m].name; });
    function radarTrace(r, name) {
      var values = D.dimensions.map(function (m) { return r[m] === undefined ? null : r[m]; });
      return { type: "scatterpolar", r: values.concat([values[0]]), theta: theta.concat([theta[0]]), fill: "toself", name: name };
    }
    var radar = [radarTrace(row, s.name)];
    var parent = D.focus.parent && D.focus.series[D.focus.parent];
    var parentRow = parent ? focusRow(D.focus.parent) : null;
    // a region holding all its parent's surveyed households (a prefecture's only county with data)
    // has its parent's D1-D4: a second shape would hide under the first, so the note says why
    var same = !!(parentRow && row.households && parentRow.households === row.households);
    if (parentRow && !same) { radar.push(radarTrace(parentRow, L.parent + ": " + parent.name)); }
    var note = document.getElementById("radar-note");
    if (note) {
      note.textContent = same ? L.sameAsParent.replace("%(region)s", s.name).replace("%(parent)s", parent.name) : "";
      note.hidden = !same;
    }
    var radarDone = Plotly.react("radar-chart", radar, {
      // the scale is the chart's title, not the radial axis's (Plotly draws that one over the shape);
      // the radial axis runs up (along D2): its tick labels, drawn across it, read horizontally
      margin: { l: 70, r: 70, t: 40, b: 30 },
      title: { text: L.scoreAxis, x: 0, xanchor: "left", y: 0.98, yanchor: "top", font: { size: 12 } },
      polar: { radialaxis: { range: [0, 100], angle: 90 } },
      showlegend: true, legend: { orientation: "h", y: -0.15, yanchor: "top" }
    }, PLOT_CONFIG).then(function () { document.getElementById("radar-chart").setAttribute("data-rendered", "true"); });
    return Promise.all([trendDone, povertyDone, radarDone]);
  }

  /* ---- the EQI's rank bands: the provinces on the national page, the area's counties elsewhere ---- */
  function bandRows() {
    if (!D.bands) { return []; }
    if (!D.areaPrefix) { return D.bands.provinces; }
    if (!M) { return []; }
    return M.codes.map(function (code, i) { var b = band(i); return b && Object.assign({ code: code, name: M.names[i] }, b); })
      .filter(function (r) { return r; })
      .sort(function (a, b) { return a.rank - b.rank || (a.code < b.code ? -1 : 1); });
  }
  function drawBands() {
    var el = document.getElementById("bands-chart");
    if (!el) { return Promise.resolve(); }
    var rows = bandRows();
    document.getElementById("bands-empty").hidden = rows.length > 0;
    if (!rows.length) { el.style.height = "0"; el.setAttribute("data-rendered", "true"); return Promise.resolve(); }
    var codes = rows.map(function (r) { return r.code; });
    var hover = rows.map(function (r) {
      return "<b>" + esc(r.name) + "</b><br>" + esc(fill(L.bandHover, { median: r.median, ranked: r.ranked, low: r.low, high: r.high })) +
        "<br>" + esc(L.bandNominal) + ": " + r.rank;
    });
    var ranked = rows[0].ranked;
    el.style.height = (70 + 22 * rows.length) + "px";
    var traces = [
      { type: "scatter", mode: "markers", name: L.bandMedian, x: rows.map(function (r) { return r.median; }), y: codes,
        error_x: { type: "data", symmetric: false, array: rows.map(function (r) { return r.high - r.median; }),
                   arrayminus: rows.map(function (r) { return r.median - r.low; }), thickness: 1.5, width: 3 },
        marker: { size: 7 }, text: hover, hoverinfo: "text" },
      { type: "scatter", mode: "markers", name: L.bandNominal, x: rows.map(function (r) { return r.rank; }), y: codes,
        marker: { size: 13, symbol: "circle-open", line: { width: 1.5 } }, text: hover, hoverinfo: "text" }
    ];
    return Plotly.react(el, traces, {
      margin: { l: 10, r: 10, t: 10, b: 10 },
      // fixed ranges: the markers' autorange padding would leave empty rows above and below a long list
      xaxis: { range: [0.3, ranked + 0.7], title: { text: L.bandAxis }, automargin: true, side: "top", dtick: ranked > 40 ? 10 : (ranked > 10 ? 5 : 1) },
      yaxis: { type: "category", range: [rows.length - 0.5, -0.5], tickvals: codes, ticktext: rows.map(function (r) { return r.name; }), automargin: true },
      showlegend: false  // the explanation below the chart says what the dot, the bar and the ring are
    }, PLOT_CONFIG).then(function () { el.setAttribute("data-rendered", "true"); });
  }

  var focusSelect = document.getElementById("focus-select");
  if (focusSelect) {
    focusSelect.innerHTML = D.focus.candidates.map(function (c) {
      return "<option value=\"" + esc(c.code) + "\"" + (c.code === state.focus ? " selected" : "") + ">" + esc(c.name) + "</option>";
    }).join("");
    focusSelect.addEventListener("change", function () { state.focus = focusSelect.value; drawFocus(); });
  }

  /* A measure switch first recolours the drawn county paths in place (their class colours and hover
     texts: tens of milliseconds), then lets Plotly redraw the map from the new trace when the
     browser is free (110-150 ms for 2,875 paths), so Plotly's own state matches again. */
  function recolour() {
    var paths = mapEl.querySelectorAll("path.choroplethlocation");
    var first = paths.length && paths[0].__data__;
    if (!first || typeof first.i !== "number") { return false; }  // not drawn as expected: redraw only
    var m = measures[state.measure], trace = mapTrace();
    legend();
    paths.forEach(function (path) {
      var d = path.__data__, i = state.inset && path.closest(".geo2") ? state.inset[d.i] : d.i, cls = trace.z[i];
      d.z = cls;
      d.tx = trace.text[i];
      path.style.fill = cls < 0 ? NO_DATA : colour(cls, m);
    });
    return true;
  }

  var measureSelect = document.getElementById("measure-select");
  /* The chosen measure goes into the address (?measure=), so a reload, the Back button, a shared
     link and the language switch (its "next" field) keep it. */
  function measureInAddress() {
    var url = new URL(window.location.href);
    url.searchParams.set("measure", state.measure);
    window.history.replaceState(null, "", url.pathname + url.search);
    document.querySelectorAll("form.language input[name=next]").forEach(function (input) {
      input.value = url.pathname + url.search;
    });
  }

  measureSelect.addEventListener("change", function () {
    state.measure = measureSelect.value;
    measureInAddress();
    if (!M || !state.geojson) { return; }
    var started = performance.now();
    mapEl.removeAttribute("data-rendered");
    var fast = recolour();
    requestAnimationFrame(function () {
      setTimeout(function () {  // after the frame with the new colours has been painted
        if (fast) { timings.measureSwitch = performance.now() - started; }
        drawMap().then(function () {
          timings.measureRedraw = performance.now() - started;
          if (!fast) { timings.measureSwitch = timings.measureRedraw; }
          mapEl.setAttribute("data-rendered", "true");
          mapEl.setAttribute("data-measure", state.measure);
        });
      }, 0);
    });
  });

  /* The map first (the page's main chart), then the focus charts: each Plotly draw holds the main
     thread, so the map is not kept waiting behind the trend and the radar. The focus charts wait
     for the frame with the map to be painted (else the map would show only once they are drawn). */
  function focusAfter() {
    return drawFocus().then(function () { timings.focusRender = performance.now() - t0; }).then(drawBands);
  }
  function afterPaint() {
    return new Promise(function (resolve) { requestAnimationFrame(function () { setTimeout(resolve, 0); }); });
  }
  if (M) {
    window.TuopinGeometry.load(D.geometryUrl)
      .then(function (geojson) { state.geojson = geojson; return drawMap(); })
      .then(function () {
        timings.firstRender = performance.now() - t0;
        window.TuopinGeometry.onRegionClick(mapEl, function (code) {
          if (!/^(71|81|82)/.test(code)) { window.location.href = D.regionUrl.replace("CODE", code); }
        });
        window.TuopinGeometry.onResize(mapEl, drawMap);
        mapEl.setAttribute("data-measure", state.measure);
        mapEl.setAttribute("data-rendered", "true");
        return afterPaint().then(function () { timings.mapPainted = performance.now(); });
      })
      .catch(function (err) { mapEl.textContent = String(err); mapEl.setAttribute("data-error", String(err)); })
      .then(focusAfter);  // drawn whatever became of the map
  } else {
    focusAfter().then(function () { timings.firstRender = timings.focusRender; });
  }
})();
