/* National county choropleth: one trace for counties with a value, one for counties outside the
   group, one for places without data (Taiwan, Hong Kong, Macao). Everything is served locally:
   plotly.js from static/vendor, its base-map topojson from static/vendor/plotly-topojson. The colours
   come from regions/map_style.py (data.colours); the South China Sea islands have their own small
   frame (TuopinGeometry.mapView). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var el = document.getElementById("county-map");
  var C = data.colours;

  function hover(c) {
    return c.province + " " + (c.prefecture && c.prefecture !== c.province ? c.prefecture + " " : "") +
      "<b>" + c.name + "</b><br>" + data.labels.code + ": " + c.code;
  }

  window.TuopinGeometry.load(data.geometryUrl)
    .then(function (geojson) {
      var known = {};
      data.counties.forEach(function (c) { known[c.code] = c; });
      var tagged = data.counties.filter(function (c) { return c.value !== null; });
      var numeric = tagged.length && tagged.every(function (c) { return typeof c.value === "number"; });
      var untagged = [];
      var noData = { locations: [], text: [] };
      geojson.features.forEach(function (f) {
        var c = known[f.properties.code];
        if (!c) { noData.locations.push(f.properties.code); noData.text.push("<b>" + f.properties.name + "</b><br>" + data.labels.noData); }
        else if (c.value === null) { untagged.push(c); }
      });
      var common = { type: "choropleth", geojson: geojson, featureidkey: "properties.code",
                     marker: { line: { width: 0.2, color: "#ffffff" } }, hoverinfo: "text", showlegend: true };
      var traces = [
        Object.assign({}, common, { name: data.labels.noData, locations: noData.locations, text: noData.text,
          z: noData.locations.map(function () { return 0; }), colorscale: [[0, C.noData], [1, C.noData]], showscale: false }),
        Object.assign({}, common, { name: data.labels.notTagged, locations: untagged.map(function (c) { return c.code; }),
          text: untagged.map(hover), z: untagged.map(function () { return 0; }),
          colorscale: [[0, C.notTagged], [1, C.notTagged]], showscale: false, marker: { line: { width: 0.2, color: C.notTaggedLine } } })
      ];
      if (tagged.length) {
        var values = tagged.map(function (c) { return numeric ? c.value : 1; });
        traces.push(Object.assign({}, common, {
          name: data.labels.tagged, locations: tagged.map(function (c) { return c.code; }),
          text: tagged.map(function (c) { return hover(c) + (numeric ? "<br>" + data.valueLabel + ": " + c.value : ""); }),
          z: values, colorscale: numeric ? [[0, C.tagScale[0]], [1, C.tagScale[1]]] : [[0, C.tag], [1, C.tag]],
          showscale: numeric, zmin: Math.min.apply(null, values), zmax: Math.max.apply(null, values),
          // inside the frame, top left (west of Xinjiang's north), so it takes no width from the map
          colorbar: numeric ? { title: { text: data.valueLabel }, dtick: 1, tickformat: "d", x: 0.005, xanchor: "left",
                                y: 0.98, yanchor: "top", len: 0.4, thickness: 14, bgcolor: "rgba(255,255,255,0.8)" } : undefined
        }));
      }
      var view = window.TuopinGeometry.mapView(geojson.features, null, el.clientWidth, el.clientHeight);
      var layout = {
        margin: { l: 0, r: 0, t: 0, b: 0 },
        legend: { x: 0.01, y: 0.02, bgcolor: "rgba(255,255,255,0.8)" },
        geo: view.geo
      };
      if (view.geo2) {
        layout.geo2 = view.geo2;
        traces = traces.concat(traces.map(function (t) { return window.TuopinGeometry.insetTrace(t, view); }));
      }
      window.TuopinGeometry.onResize(el, function () {
        var fitted = window.TuopinGeometry.mapView(geojson.features, null, el.clientWidth, el.clientHeight);
        Plotly.relayout(el, fitted.geo2 ? { geo: fitted.geo, geo2: fitted.geo2 } : { geo: fitted.geo });
      });
      // Offline: no base-map CDN (topojsonURL), and no button that sends the chart to Plotly's cloud.
      return Plotly.newPlot(el, traces, layout, {
        topojsonURL: data.topojsonUrl, responsive: true, displaylogo: false,
        showSendToCloud: false, showEditInChartStudio: false, plotlyServerURL: "",
        modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"]
      });
    })
    .then(function () {
      window.TuopinGeometry.onRegionClick(el, function (code) {
        if (data.counties.some(function (c) { return c.code === code; })) {
          window.location.href = data.regionUrl.replace("CODE", code);
        }
      });
      el.setAttribute("data-rendered", "true");
    })
    .catch(function (err) { el.textContent = String(err); el.setAttribute("data-error", String(err)); });
})();
