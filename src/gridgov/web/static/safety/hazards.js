/* The street's map of places, coloured by risk (红/橙/黄/蓝), with how many open hazards each has (vendored
   Leaflet; the GeoJSON comes from this server). */
"use strict";
(() => {
  const el = document.getElementById("sf-map");
  if (!el || typeof L === "undefined") return;
  const tiles = GG.config.tiles || {};
  const map = L.map(el, { attributionControl: Boolean(tiles.url) }).setView([34.75, 113.65], 11);
  if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 19 }).addTo(map);
  GG.api("GET", el.dataset.url).then((gj) => {
    const layer = L.geoJSON(gj, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: f.properties.open_hazards ? 7 : 4, color: f.properties.colour, weight: f.properties.open_hazards ? 2 : 1,
        fillColor: f.properties.colour, fillOpacity: 0.75,
      }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindPopup(GG.h("div", {}, GG.h("b", {}, p.name), GG.h("br"),
          p.type_label + " · 风险" + p.risk_label + " · 未销号隐患 " + p.open_hazards));
      },
    }).addTo(map);
    el.dataset.points = String(gj.features.length);
    document.getElementById("sf-map-note").textContent = "地图上 " + gj.features.length + " 个场所";
    if (gj.features.length) map.fitBounds(layer.getBounds(), { padding: [12, 12], maxZoom: 15 });
  }).catch((e) => GG.toast(e.message, true));
})();
