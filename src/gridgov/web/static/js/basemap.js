/* The map's background, as the settings chose it (GG.config.basemap, gridgov/basemap.py; docs/geo.md#basemaps):
   an MBTiles package served by gridgov (/tiles/…), 天地图 WMTS, an XYZ template (WGS-84 or GCJ-02), or none.
   Also the WGS-84 ↔ GCJ-02 shift, ported from gridgov/geo/crs.py (same formulas, same fixed-point inverse), so
   stored WGS-84 points can be drawn on a GCJ-02 map and a pin dropped there turned back into WGS-84. */
"use strict";
GG.basemap = (() => {
  const cfg = GG.config.basemap || { mode: "none", crs: "wgs84", layers: [] };
  const crs = cfg.crs || "wgs84";

  /* Add the configured tile layers to a Leaflet map; returns the map's coordinate system. */
  function add(map) {
    if (!cfg.layers.length) return crs;
    if (!map.attributionControl) map.addControl(L.control.attribution({ prefix: false }));
    for (const layer of cfg.layers) {
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

  return { add, crs, mode: cfg.mode, note: cfg.note, toMap, fromMap, wgs84ToGcj02, gcj02ToWgs84 };
})();
