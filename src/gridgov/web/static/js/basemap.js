/* The map's background, as the settings chose it (GG.config.basemap, gridgov/basemap.py; docs/geo.md#basemaps):
   an MBTiles or PMTiles package served by gridgov (/tiles/…), raster or vector, 天地图 WMTS, an XYZ template
   (WGS-84 or GCJ-02), or none. A vector package is drawn by the vendored protomaps-leaflet (canvas 2D, loaded
   only on pages that have one), styled from the layer names its metadata declares.
   Also the WGS-84 ↔ GCJ-02 shift, ported from gridgov/geo/crs.py (same formulas, same fixed-point inverse), so
   stored WGS-84 points can be drawn on a GCJ-02 map and a pin dropped there turned back into WGS-84. */
"use strict";
GG.basemap = (() => {
  const cfg = GG.config.basemap || { mode: "none", crs: "wgs84", layers: [] };
  const crs = cfg.crs || "wgs84";

  // -- vector packages ---------------------------------------------------------------------------------------
  const RENDERER = "/static/vendor/protomaps-leaflet/protomaps-leaflet.js";
  let loading = null;
  function renderer() { // protomaps-leaflet, fetched from this server on first use
    if (window.protomapsL) return Promise.resolve(window.protomapsL);
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = RENDERER;
        script.onload = () => resolve(window.protomapsL);
        script.onerror = () => { loading = null; reject(new Error("矢量底图渲染器加载失败")); };
        document.head.append(script);
      });
    }
    return loading;
  }

  /* What a layer is, read from its name (OpenMapTiles, Shortbread, tippecanoe's own names, Chinese names);
     the first match wins, anything else is drawn plainly. */
  const KINDS = [
    ["label", /name$|label|housenumber|注记|门牌/i], // label layers (water_name, transportation_name): text only
    ["water", /water|ocean|lake|river|sea|水/i],
    ["green", /park|green|wood|forest|grass|landcover|natural|绿/i],
    ["building", /building|^house$|建筑|房屋/i],
    ["rail", /rail|transit|铁路|地铁/i],
    ["road", /road|transport|street|highway|道路|街/i],
    ["boundary", /bound|admin|境界|边界|行政/i],
    ["place", /place|poi|地名/i],
  ];
  const STYLE = { // fill, line, line width at zoom 14, casing (roads), dash; paint order: rank
    other: { rank: 0, fill: "#e9e4dc", line: "#b3aa9c", width: 0.8 },
    green: { rank: 0, fill: "#d6eac4", line: "#b4d49a", width: 0.6 },
    water: { rank: 1, fill: "#a9d0ee", line: "#80b8e2", width: 1.4 },
    building: { rank: 2, fill: "#ddd5ca", line: "#c4b9ab", width: 0.5 },
    boundary: { rank: 3, fill: "", line: "#9e7fbf", width: 1.2, dash: [4, 3] },
    rail: { rank: 4, fill: "", line: "#8d8d8d", width: 1.2, dash: [5, 3] },
    road: { rank: 5, fill: "", line: "#fff4c7", width: 3.5, casing: "#d2ad63" },
    place: { rank: 6, fill: "", line: "#b3aa9c", width: 0.8, dot: true },
    label: { rank: 7, fill: "", line: "", width: 0 },
  };
  const NAMES = ["name:zh", "name_zh", "name:zh-Hans", "name", "名称", "NAME"];
  const FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
  const kindOf = (id) => (KINDS.find(([, re]) => re.test(id)) || ["other"])[0];
  const scaled = (width) => (z) => width * Math.min(2.5, Math.max(0.4, 2 ** ((z - 14) / 2)));

  /* Paint and label rules for the declared layers: polygons, lines and points each by their layer's kind.
     Names are set on points and along lines (tile makers give areas a label point: OpenMapTiles' water_name). */
  function rules(P, layers) {
    const is = (type) => (z, f) => f.geomType === type;
    const paint = [];
    const labels = [];
    const ordered = layers.map((id) => [id, STYLE[kindOf(id)]]).sort((a, b) => a[1].rank - b[1].rank);
    for (const [id, st] of ordered) {
      if (st.fill) {
        paint.push({ dataLayer: id, filter: is(P.GeomType.Polygon),
          symbolizer: new P.PolygonSymbolizer({ fill: st.fill, stroke: st.line, width: 0.5 }) });
      }
      if (st.casing) {
        paint.push({ dataLayer: id, filter: is(P.GeomType.Line),
          symbolizer: new P.LineSymbolizer({ color: st.casing, width: scaled(st.width + 1.6), lineCap: "round" }) });
      }
      if (st.line) {
        const line = { color: st.line, width: scaled(st.width), lineCap: "round" };
        if (st.dash) line.dash = st.dash;
        paint.push({ dataLayer: id, filter: is(P.GeomType.Line), symbolizer: new P.LineSymbolizer(line) });
      }
    }
    for (const [id, st] of ordered) {
      if (st.dot) { // places and points of interest get a dot; other points (house numbers, labels) text only
        paint.push({ dataLayer: id, filter: is(P.GeomType.Point),
          symbolizer: new P.CircleSymbolizer({ radius: 3, fill: "#7a5c3e", stroke: "#ffffff", width: 1 }) });
      }
      const text = { labelProps: NAMES, fontFamily: FONT, fill: "#3b3228", stroke: "#ffffff", width: 2 };
      labels.push({ dataLayer: id, filter: is(P.GeomType.Point),
        symbolizer: new P.OffsetTextSymbolizer({ ...text, fontSize: 13, offsetX: 6, offsetY: 4 }) });
      labels.push({ dataLayer: id, filter: is(P.GeomType.Line),
        symbolizer: new P.LineLabelSymbolizer({ ...text, fontSize: 12, fill: "#5a4e40" }) });
    }
    return { paint, labels };
  }

  /* A Protomaps basemap build (https://docs.protomaps.com/basemaps/layers) gets protomaps' own style. */
  const PROTOMAPS = ["earth", "water", "roads", "places"];

  function addVector(map, layer) {
    const group = L.layerGroup().addTo(map); // holds the place until the renderer has loaded
    renderer().then((P) => {
      const opts = {
        url: layer.url,
        attribution: layer.attribution || "",
        // data tiles are drawn at 512 px: zoom z shows the package's z − 1, and past its top zoom the last
        // level larger. No minZoom: on a layer Leaflet makes it the whole map's, and the map must still zoom
        // out to the city (below the package's zooms the server answers empty tiles)
        maxDataZoom: cfg.maxZoom,
        maxZoom: 19,
      };
      if (cfg.bounds) opts.bounds = [[cfg.bounds[1], cfg.bounds[0]], [cfg.bounds[3], cfg.bounds[2]]];
      if (PROTOMAPS.every((id) => cfg.vectorLayers.includes(id))) {
        Object.assign(opts, { flavor: "light", lang: "zh-Hans" });
      } else {
        const made = rules(P, cfg.vectorLayers);
        Object.assign(opts, { paintRules: made.paint, labelRules: made.labels, backgroundColor: "#f3f0ea" });
      }
      group.addLayer(P.leafletLayer(opts));
    }).catch((err) => { console.error(err); });
  }

  /* Add the configured tile layers to a Leaflet map; returns the map's coordinate system. */
  function add(map) {
    if (!cfg.layers.length) return crs;
    if (!map.attributionControl) map.addControl(L.control.attribution({ prefix: false }));
    for (const layer of cfg.layers) {
      if (layer.kind === "vector") { addVector(map, layer); continue; }
      const opts = { attribution: layer.attribution || "", maxZoom: 19, minZoom: 0 };
      if (layer.subdomains) opts.subdomains = layer.subdomains;
      if (cfg.mode === "mbtiles") { // the package's own zooms and extent: no request for a tile it does not have
        opts.minNativeZoom = cfg.minZoom;
        opts.maxNativeZoom = cfg.maxZoom;
        if (cfg.bounds) opts.bounds = [[cfg.bounds[1], cfg.bounds[0]], [cfg.bounds[3], cfg.bounds[2]]];
      } else {
        opts.maxNativeZoom = cfg.maxZoom;
      }
      L.tileLayer(layer.url, opts).addTo(map);
    }
    return crs;
  }

  // -- GCJ-02 (the published Krasovsky offset; no offset outside China's rough box), as in geo/crs.py ----------
  const A = 6378245.0;
  const EE = 0.00669342162296594323;
  const PI = Math.PI;

  function outOfChina(lat, lon) {
    return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }

  function offset(lat, lon) { // GCJ-02 minus WGS-84 at a WGS-84 point, degrees: [dlat, dlon]
    if (outOfChina(lat, lon)) return [0, 0];
    const x = lon - 105.0;
    const y = lat - 35.0;
    const sx = Math.sqrt(Math.abs(x));
    const common = (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    let dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common;
    dlat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    dlat += (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    let dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common;
    dlon += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    dlon += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    const rad = lat / 180.0 * PI;
    const magic = 1.0 - EE * Math.sin(rad) ** 2;
    const sqrtMagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrtMagic) * PI);
    dlon = (dlon * 180.0) / (A / sqrtMagic * Math.cos(rad) * PI);
    return [dlat, dlon];
  }

  function wgs84ToGcj02(lat, lon) {
    const [dlat, dlon] = offset(lat, lon);
    return [lat + dlat, lon + dlon];
  }

  function gcj02ToWgs84(lat, lon) { // fixed point w ← w + (g − f(w)), to 1e-10° (as geo/crs.py)
    let wlat = lat;
    let wlon = lon;
    for (let i = 0; i < 30; i++) {
      const [flat, flon] = wgs84ToGcj02(wlat, wlon);
      const elat = lat - flat;
      const elon = lon - flon;
      wlat += elat;
      wlon += elon;
      if (Math.abs(elat) <= 1e-10 && Math.abs(elon) <= 1e-10) break;
    }
    return [wlat, wlon];
  }

  /* A stored (WGS-84) point where this map draws it, and a point on this map as WGS-84. */
  const toMap = (lat, lon) => (crs === "gcj02" ? wgs84ToGcj02(lat, lon) : [lat, lon]);
  const fromMap = (lat, lon) => (crs === "gcj02" ? gcj02ToWgs84(lat, lon) : [lat, lon]);

  return { add, crs, mode: cfg.mode, toMap, fromMap, wgs84ToGcj02, gcj02ToWgs84 };
})();
