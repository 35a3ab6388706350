// Builds ../../static/vendor/plotly-tuopin-<version>.min.js with the settings of plotly.js's own
// esbuild-config.js (minified, IIFE defining the global Plotly), from entry.js.
"use strict";
const path = require("path");
const esbuild = require("esbuild");
const InlineCSSPlugin = require("esbuild-plugin-inline-css");
const { environmentPlugin } = require("esbuild-plugin-environment");
const version = require("plotly.js/package.json").version;
const banner = `/**
* plotly.js v${version}, partial bundle for Tuopin (choropleth, scatter, scatterpolar, bar, histogram)
* Copyright 2012-2026, Plotly, Inc.
* All rights reserved.
* Licensed under the MIT license
*/`;
esbuild
  .build({
    entryPoints: [path.join(__dirname, "entry.js")],
    outfile: path.join(__dirname, "..", "..", "static", "vendor", `plotly-tuopin-${version}.min.js`),
    format: "iife",
    globalName: "Plotly",
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: "none",
    banner: { js: banner },
    plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
    alias: { regl: "@plotly/regl", stream: "stream-browserify" },
    define: { global: "window", "define.amd": "false" },
    target: "es2016",
    logLevel: "info",
  })
  .catch(() => process.exit(1));
