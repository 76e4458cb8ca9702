/* Maps: Leaflet (shipped with gridgov), grid boundaries drawn on a plain background. A deployment may set
   GRIDGOV_MAP_TILE_URL to its own tile server; gridgov never fetches tiles from anywhere by default. */
"use strict";
GG.map = (() => {
  const CENTER = [34.75, 113.65]; // 郑州
  const tiles = GG.config.tiles;
  const crs = tiles.crs || "wgs84"; // coordinates on this map (and sent with a picked point)

  function make(el, opts = {}) {
    const map = L.map(el, { zoomControl: true, attributionControl: Boolean(tiles.url) }).setView(opts.center || CENTER, opts.zoom || 10);
    if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 19 }).addTo(map);
    const boundaries = L.layerGroup().addTo(map);
    let marker = null;
    const api = { map, crs, point: null };

    api.showBoundaries = async (code, children = true, zoom = 10) => {
      const gj = await GG.api("GET", "/api/v1/grids/" + code + "/geometry?children=" + children + "&zoom=" + zoom + "&crs=" + crs);
      const layer = L.geoJSON(gj, {
        style: { color: "#b71c1c", weight: 1.2, fillColor: "#ffffff", fillOpacity: 0.35 },
        onEachFeature: (f, l) => l.bindTooltip(GG.h("span", {}, f.properties.name || f.properties.code), { sticky: true }),
      });
      boundaries.clearLayers();
      layer.addTo(boundaries);
      if (opts.fit !== false) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      return layer;
    };

    api.setPoint = (lat, lon, pointCrs = crs) => {
      api.point = { lat, lon, crs: pointCrs };
      if (marker) marker.setLatLng([lat, lon]); else marker = L.marker([lat, lon], { keyboard: true, title: "问题位置" }).addTo(map);
      if (opts.onPick) opts.onPick(api.point);
    };

    api.clearPoint = () => {
      api.point = null;
      if (marker) { marker.remove(); marker = null; }
    };

    api.useMyLocation = () => new Promise((resolve, reject) => {
      if (!navigator.geolocation) { reject(new Error("此设备不支持定位")); return; }
      navigator.geolocation.getCurrentPosition(
        (p) => { api.setPoint(p.coords.latitude, p.coords.longitude, "wgs84"); map.setView([p.coords.latitude, p.coords.longitude], 15); resolve(api.point); },
        (e) => reject(new Error("无法获取位置: " + e.message)),
        { enableHighAccuracy: true, timeout: 10000 },
      );
    });

    if (opts.pick) {
      map.on("click", (e) => api.setPoint(+e.latlng.lat.toFixed(6), +e.latlng.lng.toFixed(6)));
      // keyboard: arrow keys pan and +/- zoom (Leaflet); Enter or Space drops the pin at the crosshair (centre)
      const box = map.getContainer();
      box.classList.add("pickable");
      box.setAttribute("aria-keyshortcuts", "Enter Space");
      box.addEventListener("keydown", (e) => {
        if (e.target !== box || (e.key !== "Enter" && e.key !== " ")) return;
        e.preventDefault();
        const c = map.getCenter();
        api.setPoint(+c.lat.toFixed(6), +c.lng.toFixed(6));
      });
    }
    return api;
  }

  /* Where a point falls: the grid chain, or null outside the city. */
  async function locate(point) {
    try {
      return await GG.api("GET", "/api/v1/grids/locate?lat=" + point.lat + "&lon=" + point.lon + "&crs=" + point.crs);
    } catch (e) { if (e.status === 404 || e.status === 422) return null; throw e; }
  }

  /* A case panel's small map (the inbox): the case's grid, and its point when it has one. */
  function caseMaps(root) {
    for (const el of root.querySelectorAll("[data-case-map]")) {
      if (el.dataset.ready) continue;
      el.dataset.ready = "1";
      el.hidden = false;
      const m = make(el, { fit: true });
      m.showBoundaries(el.dataset.grid, false, 14).then(() => {
        if (el.dataset.lat && crs === "wgs84") { // stored points are WGS-84; a GCJ-02 tile map shows the grid only
          L.marker([+el.dataset.lat, +el.dataset.lon], { title: "问题位置", keyboard: false }).addTo(m.map);
          m.map.setView([+el.dataset.lat, +el.dataset.lon], Math.max(m.map.getZoom(), 15));
        }
      }).catch(() => { el.hidden = true; });
    }
  }
  document.addEventListener("htmx:load", (ev) => caseMaps(ev.detail.elt.parentNode || ev.detail.elt));
  document.addEventListener("DOMContentLoaded", () => caseMaps(document));

  return { make, locate, crs };
})();
