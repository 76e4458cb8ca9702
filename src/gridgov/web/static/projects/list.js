/* 三个一批 project list: the map of the filtered projects (vendored Leaflet; the GeoJSON comes from this server,
   with the same filters as the table). */
"use strict";
(() => {
  const el = document.getElementById("pj-map");
  if (!el || typeof L === "undefined") return;
  const COLOURS = { signed: "#52606d", honoured: "#1d4ed8", started: "#b7791f", producing: "#b71c1c", effective: "#1b7f3b", withdrawn: "#9aa5b1" };
  const tiles = GG.config.tiles || {};
  const map = L.map(el, { attributionControl: Boolean(tiles.url) }).setView([34.75, 113.65], 9);
  if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 19 }).addTo(map);
  GG.api("GET", el.dataset.url).then((gj) => {
    const layer = L.geoJSON(gj, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: Math.max(4, Math.min(10, Math.sqrt(f.properties.total_investment_yi || 1) * 0.8)),
        color: COLOURS[f.properties.status] || "#52606d", weight: 1, fillOpacity: 0.7,
      }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindPopup(GG.h("div", {}, GG.h("a", { href: "/projects/" + p.id }, p.name), GG.h("br"),
          p.district_name + " · " + p.status_label + " · " + (p.total_investment_yi || 0).toFixed(2) + " 亿元"));
      },
    }).addTo(map);
    el.dataset.points = String(gj.features.length);
    document.getElementById("pj-map-note").textContent = "地图上 " + gj.features.length + " 个项目 (只画有位置的项目)";
    if (gj.features.length) map.fitBounds(layer.getBounds(), { padding: [12, 12], maxZoom: 13 });
  }).catch((e) => GG.toast(e.message, true));
})();
