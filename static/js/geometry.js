/* TopoJSON to GeoJSON for the maps (the subset /geo/<level>.topojson uses: one object "regions",
   MultiPolygon geometries, quantised and delta-encoded arcs, no shared arcs needed).
   TuopinGeometry.load(url) -> Promise of a GeoJSON FeatureCollection whose features carry
   properties.code (the region code) and properties.name. Loaded with data-preload="URL", the
   download starts as soon as this script runs. */
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
      return {
        type: "Feature", id: g.id,
        properties: { code: g.id, name: g.properties.name },
        geometry: { type: "MultiPolygon", coordinates: g.arcs.map(function (polygon) { return polygon.map(ring); }) }
      };
    });
    return { type: "FeatureCollection", features: features };
  }
  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("geometry " + r.status); } return r.json(); });
  }
  // <script src="geometry.js" data-preload="URL"> starts the download at once, before the page's
  // later scripts (plotly.js takes a second to parse); load(URL) then takes that download.
  var me = document.currentScript;
  var early = me && me.dataset.preload ? { url: me.dataset.preload, json: fetchJson(me.dataset.preload) } : null;
  function load(url) {
    var json = early && early.url === url ? early.json : fetchJson(url);
    early = null;
    return json.then(decode);
  }
  window.TuopinGeometry = { decode: decode, load: load };
})();
