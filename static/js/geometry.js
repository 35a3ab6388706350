/* TopoJSON to GeoJSON for the maps (the subset /geo/<level>.topojson uses: one object "regions",
   MultiPolygon geometries, quantised and delta-encoded arcs shared between neighbours).
   TuopinGeometry.load(url) -> Promise of a GeoJSON FeatureCollection whose features carry
   properties.code (the region code) and properties.name.
   (A page starts the download early with <link rel="preload" as="fetch" crossorigin>.) Loaded with
   data-base-map="URL" (plotly.js's base-map topojson, e.g. .../world_110m.json), that file is
   fetched when this script runs and handed to plotly.js (window.PlotlyGeoAssets), which would
   otherwise fetch it only when it starts drawing; load() then also waits for it.
   TuopinGeometry.onRegionClick(el, open) calls open(code) on a plain click of a drawn region.
   TuopinGeometry.mapView(features, hasData, width, height) -> the geo layout of a map of those
   features that fills a width x height frame: zoomed to the features with data when they cover
   little of the area, else the whole area with the South China Sea islands in their own small
   frame (geo2, bottom right, as official maps of China draw them); TuopinGeometry.insetTrace(trace,
   view) is a trace's copy for that frame; TuopinGeometry.onResize(el, redraw) fits it again when the
   frame changes size. */
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

  /* ---- the view: what part of the map the frame shows ---- */
  // 三沙市 (西沙区 460301, 南沙区 460302): drawn in the inset, left out of the main frame's extent
  function southChinaSeaIslands(code) { return code.indexOf("4603") === 0; }
  var INSET_BOX = { lon: [106, 122], lat: [3, 23.5] };  // the 南海诸岛 frame: the islands and the coasts around
  var INSET_LINE = "#7b8794";
  var INSET_WIDTH = 0.17;  // of the frame's width (at most INSET_HEIGHT of its height)
  var INSET_HEIGHT = 0.42;
  // zoom to the features with data when their extent is under this share of the area's (Mercator units)
  var ZOOM_SHARE = 0.4;
  var PAD_FULL = 0.02, PAD_ZOOM = 0.25, MIN_SPAN = 3;  // shares of the extent each side; degrees

  function featureBox(f) {  // kept on the feature: a measure switch asks again
    if (!f.box) {
      var w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
      f.geometry.coordinates.forEach(function (polygon) {
        polygon[0].forEach(function (p) {  // the outer ring holds the holes
          if (p[0] < w) { w = p[0]; } if (p[0] > e) { e = p[0]; }
          if (p[1] < s) { s = p[1]; } if (p[1] > n) { n = p[1]; }
        });
      });
      f.box = { lon: [w, e], lat: [s, n] };
    }
    return f.box;
  }
  /* The extent { lon: [west, east], lat: [south, north] } of features (degrees), null for none. */
  function bounds(features) {
    if (!features.length) { return null; }
    var out = { lon: [Infinity, -Infinity], lat: [Infinity, -Infinity] };
    features.forEach(function (f) {
      var b = featureBox(f);
      out.lon = [Math.min(out.lon[0], b.lon[0]), Math.max(out.lon[1], b.lon[1])];
      out.lat = [Math.min(out.lat[0], b.lat[0]), Math.max(out.lat[1], b.lat[1])];
    });
    return out;
  }
  var RAD = Math.PI / 180;
  function mercator(lat) { return Math.log(Math.tan(Math.PI / 4 + lat * RAD / 2)); }
  function unmercator(y) { return (2 * Math.atan(Math.exp(y)) - Math.PI / 2) / RAD; }
  function aspectOf(box) { return (box.lon[1] - box.lon[0]) * RAD / (mercator(box.lat[1]) - mercator(box.lat[0])); }

  /* The box grown by pad (a share of its width and height each side) to at least minSpan degrees,
     then widened or heightened to the frame's aspect (width / height, in Mercator units), so that the
     map fills the frame: plotly.js fits the range box into the frame and leaves the rest blank.
     Returns { lon: [west, east], lat: [south, north], center: { lon, lat } } for geo's lonaxis.range,
     lataxis.range and center (degrees). */
  function fitBox(box, aspect, pad, minSpan) {
    var x0 = box.lon[0] * RAD, x1 = box.lon[1] * RAD, y0 = mercator(box.lat[0]), y1 = mercator(box.lat[1]);
    var dx = Math.max((x1 - x0) * (1 + 2 * pad), minSpan * RAD), dy = Math.max((y1 - y0) * (1 + 2 * pad), minSpan * RAD);
    if (dx / dy < aspect) { dx = dy * aspect; } else { dy = dx / aspect; }
    var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    var lon = [(cx - dx / 2) / RAD, (cx + dx / 2) / RAD];
    var south = unmercator(cy - dy / 2), north = unmercator(cy + dy / 2);
    return { lon: lon, lat: [south < 0 ? geodesicEdge(south, lon) : south, north > 0 ? geodesicEdge(north, lon) : north],
             center: { lon: cx / RAD, lat: unmercator(cy) } };
  }
  /* plotly.js draws the range box's top and bottom as four great-circle arcs each, which bow towards
     the pole (by 0.8 degrees at 54 N over 113 degrees of longitude) and make the frame that much
     taller than asked (the edge nearer the equator bows into the box). The edge nearer the pole is moved back so that the bow reaches lat:
     tan(edge) = tan(lat) cos(span / 8), half an arc's span. */
  function geodesicEdge(lat, lon) {
    return Math.atan(Math.tan(lat * RAD) * Math.cos((lon[1] - lon[0]) * RAD / 8)) / RAD;
  }
  function area(box) { return (box.lon[1] - box.lon[0]) * RAD * (mercator(box.lat[1]) - mercator(box.lat[0])); }
  function overlaps(a, b) {
    return a.lon[0] <= b.lon[1] && b.lon[0] <= a.lon[1] && a.lat[0] <= b.lat[1] && b.lat[0] <= a.lat[1];
  }

  /* features: the area's GeoJSON features; hasData(code) true for a feature with a value (null: all
     have); width, height: the frame in pixels. Returns { geo, geo2 (or null), insetCodes, zoomed }. */
  function mapView(features, hasData, width, height) {
    var aspect = width > 0 && height > 0 ? width / height : 1.6;
    var mainland = features.filter(function (f) { return !southChinaSeaIslands(f.properties.code); });
    var full = bounds(mainland.length ? mainland : features);
    var withData = hasData ? mainland.filter(function (f) { return hasData(f.properties.code); }) : [];
    var dataBox = withData.length ? bounds(withData) : null;
    var zoomBox = dataBox && fitBox(dataBox, aspect, PAD_ZOOM, MIN_SPAN);
    var zoomed = Boolean(full && zoomBox && area(zoomBox) < ZOOM_SHARE * area(fitBox(full, aspect, PAD_FULL, 0)));
    var box = zoomed ? zoomBox : full ? fitBox(full, aspect, PAD_FULL, 0) : null;
    // the domain is given: with a second geo subplot, plotly.js would otherwise stack the two
    var geo = { domain: { x: [0, 1], y: [0, 1] }, projection: { type: "mercator" }, visible: false, fitbounds: false };
    // the centre too: plotly.js puts it in the middle of the frame, and its default (the middle of the
    // ranges in degrees) is not the middle of a Mercator map, which would then slide off the frame
    if (box) { geo.lonaxis = { range: box.lon }; geo.lataxis = { range: box.lat }; geo.center = box.center; } else { geo.fitbounds = "locations"; }
    var islands = features.some(function (f) { return southChinaSeaIslands(f.properties.code); });
    if (zoomed || !islands) { return { geo: geo, geo2: null, insetCodes: {}, zoomed: zoomed }; }
    // the inset: INSET_WIDTH of the frame's width, as high as its box needs (at most INSET_HEIGHT)
    var ratio = aspectOf(INSET_BOX);
    var insetCenter = { lon: (INSET_BOX.lon[0] + INSET_BOX.lon[1]) / 2,
                         lat: unmercator((mercator(INSET_BOX.lat[0]) + mercator(INSET_BOX.lat[1])) / 2) };
    var w = INSET_WIDTH, h = w * aspect / ratio;
    if (h > INSET_HEIGHT) { h = INSET_HEIGHT; w = h * ratio / aspect; }
    var insetCodes = {};
    features.forEach(function (f) { if (overlaps(featureBox(f), INSET_BOX)) { insetCodes[f.properties.code] = true; } });
    var geo2 = {
      domain: { x: [0.995 - w, 0.995], y: [0.01, 0.01 + h] },  // clear of the page frame's border projection: { type: "mercator" }, fitbounds: false,
      lonaxis: { range: INSET_BOX.lon }, lataxis: { range: INSET_BOX.lat }, center: insetCenter, bgcolor: "#ffffff",
      showframe: true, framecolor: INSET_LINE, framewidth: 1, showland: false, showocean: false, showlakes: false,
      showrivers: false, showcountries: false, showsubunits: false, showcoastlines: false
    };
    return { geo: geo, geo2: geo2, insetCodes: insetCodes, zoomed: false };
  }

  /* The indices of a trace's locations that the inset draws. */
  function insetPoints(locations, view) {
    var keep = [];
    locations.forEach(function (code, i) { if (view.insetCodes[code]) { keep.push(i); } });
    return keep;
  }
  /* A copy of a choropleth trace with only the features of the inset, drawn in geo2 (no legend
     entry, no colour bar); its point k is point insetPoints(trace.locations, view)[k] of the trace. */
  function insetTrace(trace, view) {
    var keep = insetPoints(trace.locations, view);
    function pick(list) { return Array.isArray(list) ? keep.map(function (i) { return list[i]; }) : list; }
    // outlined darker than on the main map: the islands are a pixel or two across at this scale
    return Object.assign({}, trace, { geo: "geo2", locations: pick(trace.locations), z: pick(trace.z), text: pick(trace.text),
                                      showlegend: false, showscale: false, marker: { line: { width: 0.6, color: INSET_LINE } } });
  }

  /* Calls redraw() once the frame of el has a new size (after the window stopped resizing for 250 ms):
     the view fitted to the old frame would leave blank bands in the new one. */
  function onResize(el, redraw) {
    var size = [el.clientWidth, el.clientHeight], pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        if (el.clientWidth === size[0] && el.clientHeight === size[1]) { return; }
        size = [el.clientWidth, el.clientHeight];
        redraw();
      }, 250);
    });
  }

  window.TuopinGeometry = { decode: decode, load: load, onRegionClick: onRegionClick, mapView: mapView, insetTrace: insetTrace, insetPoints: insetPoints, onResize: onResize,
                            fitBox: fitBox, bounds: bounds };
})();
