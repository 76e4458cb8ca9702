/* Maps: Leaflet (shipped with gridgov), grid boundaries drawn on a plain background. A deployment may set
   GRIDGOV_MAP_TILE_URL to its own tile server; gridgov never fetches tiles from anywhere by default. */
"use strict";
GG.map = (() => {
  const CENTER = [34.75, 113.65]; // 郑州
  const tiles = GG.config.tiles;
  const crs = tiles.crs || "wgs84"; // coordinates on this map (and sent with a picked point)

  function make(el, opts = {}) {
    const map = L.map(el, { zoomControl: true, attributionControl: Boolean(tiles.url) }).setView(opts.center || CENTER, opts.zoom || 10);
    GG.basemap.add(map); // the configured background (basemap.js): MBTiles, 天地图, a URL template, or none
    const boundaries = L.layerGroup().addTo(map);
    let marker = null;
    const api = { map, crs, point: null, pin: null, named: null };
    el.ggMap = api; // reachable from the page (tests and the bench drive the zoom through it)
    if (!tiles.url && opts.plain !== false) plainMap(map);
    const picked = L.layerGroup().addTo(map); // the grid the pin falls in
    const target = L.layerGroup().addTo(map); // the division the address names

    api.showBoundaries = async (code, children = true, zoom = 10) => {
      const gj = await GG.api("GET", "/api/v1/grids/" + code + "/geometry?children=" + children + "&zoom=" + zoom + "&crs=" + crs);
      const layer = L.geoJSON(gj, {
        style: { color: "#b71c1c", weight: 1.2, fillColor: "#ffffff", fillOpacity: 0.35 },
        onEachFeature: (f, l) => l.bindTooltip(GG.h("span", {}, f.properties.name || f.properties.code), { sticky: true }),
      });
      boundaries.clearLayers();
      layer.addTo(boundaries);
      // boundaries that arrive after the user placed a pin (or used their location) leave the view where they put it
      if (opts.fit !== false && !api.point) map.fitBounds(layer.getBounds(), { padding: [8, 8], animate: false });
      map.getContainer().dataset.fitted = code; // state a test (or the bench) can wait on
      return layer;
    };

    api.setPoint = (lat, lon, pointCrs = crs) => {
      api.point = { lat, lon, crs: pointCrs };
      if (marker) marker.setLatLng([lat, lon]); else marker = L.marker([lat, lon], { keyboard: true, title: "问题位置" }).addTo(map);
      if (opts.onPick) opts.onPick(api.point);
    };

    api.clearPoint = () => {
      api.point = null; api.pin = null;
      if (marker) { marker.remove(); marker = null; }
      picked.clearLayers(); warn(api);
    };

    /* The pin's grid, outlined, and its district remembered for the address check. */
    api.showPicked = async (found) => {
      picked.clearLayers();
      api.pin = found && found.inside && found.ancestors[1] ? found.ancestors[1] : null;
      warn(api);
      if (!found || !found.inside) return;
      const gj = await GG.api("GET", "/api/v1/grids/" + found.code + "/geometry?zoom=16&crs=" + crs);
      L.geoJSON(gj, { interactive: false, style: { color: "#0d47a1", weight: 2.5, fillOpacity: 0.08 } }).addTo(picked);
      map.getContainer().dataset.picked = found.code;
    };

    /* The address box moves the map to the division it names (deepest match), and remembers its district. */
    api.goToAddress = async (text) => {
      if (!text) { api.named = null; target.clearLayers(); warn(api); return null; }
      const a = await GG.api("GET", "/api/v1/grids/address?text=" + encodeURIComponent(text));
      target.clearLayers();
      api.named = a.code && !a.ambiguous ? { code: districtOf(a.code), match: a.code } : null;
      if (api.named) api.named.name = await districtName(api.named.code);
      warn(api);
      if (!a.code) return a;
      const gj = await GG.api("GET", "/api/v1/grids/" + a.code + "/geometry?zoom=14&crs=" + crs);
      const layer = L.geoJSON(gj, { interactive: false, style: { color: "#e65100", weight: 2, dashArray: "6 4", fillOpacity: 0.05 } }).addTo(target);
      map.fitBounds(layer.getBounds(), { padding: [12, 12], animate: false });
      map.getContainer().dataset.addressAt = a.code;
      return a;
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

  /* The plain map (no basemap configured): outlines and names of districts zoomed out, streets mid, communities
     zoomed in, fetched per level for the visible box with geometry simplified for the zoom. */
  const LEVEL_OF_ZOOM = (z) => (z <= 11 ? 1 : z <= 13 ? 2 : 3);
  const LEVEL_STYLE = { 1: { color: "#5d4037", weight: 2 }, 2: { color: "#6d6d6d", weight: 1.2, dashArray: "4 3" }, 3: { color: "#9e9e9e", weight: 0.8 } };
  function plainMap(map) {
    const outlines = L.layerGroup().addTo(map), labels = L.layerGroup().addTo(map);
    const box = map.getContainer();
    box.classList.add("plain-map");
    let asked = 0;
    const draw = async () => {
      const zoom = map.getZoom(), level = LEVEL_OF_ZOOM(zoom), b = map.getBounds().pad(0.2), mine = ++asked;
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
      let gj;
      try { gj = await GG.api("GET", "/api/v1/grids/divisions?level=" + level + "&zoom=" + zoom + "&crs=" + crs + "&bbox=" + bbox); }
      catch (e) { return; } // no active grid version: the map stays plain
      if (mine !== asked) return; // a later move asked again
      outlines.clearLayers(); labels.clearLayers();
      // Leaflet fades removed tooltips out over 200 ms: drop the old names now, so two levels never show at once
      for (const old of map.getPanes().tooltipPane.querySelectorAll(".division-label")) old.remove();
      L.geoJSON(gj, { interactive: false, style: { ...LEVEL_STYLE[level], fill: false } }).addTo(outlines);
      for (const f of gj.features) {
        // a standalone tooltip, not a marker: pins stay the only .leaflet-marker-icon on the map
        L.tooltip({ permanent: true, direction: "center", interactive: false, className: "division-label level-" + level })
          .setLatLng(f.properties.label).setContent(GG.h("span", {}, f.properties.name)).addTo(labels);
      }
      box.dataset.divisionLevel = String(level);
      box.dataset.divisionZoom = String(zoom);
      box.dataset.divisionLabels = String(gj.features.length);
    };
    map.on("moveend", GG.debounce(draw, 150));
    map.whenReady(draw);
  }

  /* A case map layer: points cluster at low zoom (leaflet.markercluster, when the page loads it), one by one from
     zoom 16; added in chunks so ten thousand points never block the page. `done` runs once all are in. */
  function caseLayer(map, opts = {}) {
    if (!L.markerClusterGroup || opts.cluster === false) return L.layerGroup().addTo(map);
    if (!Number.isFinite(map.getMaxZoom())) map.setMaxZoom(19); // clustering needs one; a plain map has no tiles to say
    return L.markerClusterGroup({
      chunkedLoading: true, disableClusteringAtZoom: 16, maxClusterRadius: 60, showCoverageOnHover: false,
      spiderfyOnMaxZoom: false, chunkProgress: (done, total) => { if (done === total && opts.done) opts.done(total); },
    }).addTo(map);
  }

  const districtOf = (code) => code.slice(0, 6) + "000000000";
  const names = new Map();
  async function districtName(code) {
    if (!names.has(code)) names.set(code, GG.api("GET", "/api/v1/grids/" + code).then((g) => g.name).catch(() => code));
    return names.get(code);
  }

  /* Pin and address in different districts: a warning under the map, and one more press of submit to file it. */
  function warn(m) {
    const box = m.map.getContainer();
    let note = document.getElementById(box.id + "-district-warning");
    const differ = m.pin && m.named && m.pin.code !== m.named.code;
    if (!differ) { if (note) note.hidden = true; m.conflict = null; return; }
    if (!note) {
      note = GG.h("p", { id: box.id + "-district-warning", class: "district-warning", role: "alert" });
      box.after(note);
    }
    m.conflict = m.pin.code + ">" + m.named.code;
    note.textContent = "注意: 地图标注点位于" + (m.pin.name || m.pin.code) + ", 而地址写的是" + m.named.name + "。请核对位置或地址; 确认无误可直接提交。";
    note.hidden = false;
  }

  /* Call first in a submit handler: the first submit with an unseen disagreement stops and points at the warning. */
  function confirmPlace(m) {
    if (!m.conflict || m.confirmed === m.conflict) return;
    m.confirmed = m.conflict;
    const note = document.getElementById(m.map.getContainer().id + "-district-warning");
    if (note) note.scrollIntoView({ block: "nearest" });
    throw new Error("标注点与地址不在同一个区县, 请核对; 确认无误请再次提交");
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
        if (el.dataset.lat) { // stored points are WGS-84: shifted onto the map's own datum (GCJ-02 tiles) first
          const at = GG.basemap.toMap(+el.dataset.lat, +el.dataset.lon);
          L.marker(at, { title: "问题位置", keyboard: false }).addTo(m.map);
          m.map.setView(at, Math.max(m.map.getZoom(), 15));
        }
      }).catch(() => { el.hidden = true; });
    }
  }
  document.addEventListener("htmx:load", (ev) => caseMaps(ev.detail.elt.parentNode || ev.detail.elt));
  document.addEventListener("DOMContentLoaded", () => caseMaps(document));

  return { make, locate, crs, confirmPlace, caseLayer, LEVEL_OF_ZOOM };
})();
