// plotly.js core plus the trace types Tuopin's pages draw (static/js/*.js): choropleth (the county
// maps), scatter (trends; always part of the core), scatterpolar (the radar), bar and histogram
// (below-county pages). Add a trace type here before a page uses it.
"use strict";
var Plotly = require("plotly.js/lib/core");
Plotly.register([
  require("plotly.js/lib/choropleth"),
  require("plotly.js/lib/scatterpolar"),
  require("plotly.js/lib/bar"),
  require("plotly.js/lib/histogram"),
]);
module.exports = Plotly;
