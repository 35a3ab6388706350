/* TopoJSON to GeoJSON for the maps (the subset /geo/<level>.topojson uses: one object "regions",
   MultiPolygon geometries, quantised and delta-encoded arcs shared between neighbours).
   TuopinGeometry.load(url) -> Promise of a GeoJSON FeatureCollection whose features carry
   properties.code (the region code) and properties.name.
   (A page starts the download early with <link rel="preload" as="fetch" crossorigin>.) Loaded with
   data-base-map="URL" (plotly.js's base-map topojson, e.g. .../world_110m.json), that file is
   fetched when this script runs and handed to plotly.js (window.PlotlyGeoAssets), which would
   otherwise fetch it only when it starts drawing; load() then also waits for it.
   TuopinGeometry.onRegionClick(el, open) calls open(code) on a plain click of a drawn region. */
(function () {
  "use strict";
  function decode(topology) {
    var scale = topology.transform.scale, translate = topology.transform.translate;
    var arcs = topology.arcs.map(function (arc) {
      var x = 0, y = 0;
      return arc.map(function (p) {
        x += p[0]; y += p[1];
        return [x * scale[0] + translate[0], y * scale[1] + translate[1]];
      });
    });
    function ring(indices) {
      var points = [];
      indices.forEach(function (i) {
        var arc = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
        arc.forEach(function (p, k) { if (k > 0 || points.length === 0) { points.push(p); } });
      });
      return points;
    }
    var features = topology.objects.regions.geometries.map(function (g) {
      var coordinates = g.arcs.map(function (polygon) { return polygon.map(ring); });
      return {
        type: "Feature", id: g.id,
        properties: { code: g.id, name: g.properties.name },
        geometry: { type: "MultiPolygon", coordinates: coordinates }
      };
    });
    return { type: "FeatureCollection", features: features };
  }
  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("geometry " + r.status); } return r.json(); });
  }
  var me = document.currentScript;
  var baseMap = Promise.resolve();
  if (me && me.dataset.baseMap) {
    var assets = window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
    var name = me.dataset.baseMap.split("/").pop().replace(/\.json$/, "");
    // a failure is left to plotly.js, which then fetches the file itself and reports it
    baseMap = fetchJson(me.dataset.baseMap).then(function (json) { assets.topojson[name] = json; }, function () {});
  }
  function load(url) {
    return Promise.all([fetchJson(url).then(decode), baseMap]).then(function (both) { return both[0]; });
  }
  /* The maps open a region on a click, but not at the end of a drag (a pan) nor on a double click
     (plotly.js's zoom reset): the press must end within 5 px of where it began, and a click waits
     300 ms for a second one before opening. open(code) gets the clicked location's code. */
  function onRegionClick(el, open) {
    var down = null, pending = null;
    el.addEventListener("pointerdown", function (e) { down = [e.clientX, e.clientY]; }, true);
    el.addEventListener("dblclick", function () { clearTimeout(pending); pending = null; }, true);
    el.on("plotly_click", function (ev) {
      var e = ev.event, code = ev.points && ev.points[0] && ev.points[0].location;
      if (!code || !e || !down || Math.abs(e.clientX - down[0]) + Math.abs(e.clientY - down[1]) > 5) { return; }
      if (pending) { clearTimeout(pending); pending = null; return; }  // the second click of a double click
      pending = setTimeout(function () { pending = null; open(code); }, 300);
    });
  }
  window.TuopinGeometry = { decode: decode, load: load, onRegionClick: onRegionClick };
})();
