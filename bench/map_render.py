"""Time to first render of a case map with 10,000 points in Chromium: clustered (leaflet.markercluster, the
options of GG.map.caseLayer) next to the same points unclustered, in the same run and the same browser.

    .venv/bin/python bench/map_render.py                 # 10,000 points, 5 runs each
    .venv/bin/python bench/map_render.py --points 50000 --runs 3
    .venv/bin/python bench/map_render.py --smoke         # 500 points, 1 run

The page is built from the vendored files that gridgov ships (src/gridgov/web/static/vendor): Leaflet, and
leaflet.markercluster for the clustered map. The points are the dashboard's: canvas circle markers with a
tooltip each, spread over the city (fixed seed). Measured in the page with performance.now(): from the start of
adding the layer to the first animation frame after every point is in (clustered: the last chunk done), then
one zoom step in and its frame (the cost of re-clustering). p50 / max over --runs, each run a fresh page.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import add_smoke, apply_smoke  # noqa: E402

CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")
VENDOR = Path(__file__).resolve().parents[1] / "src" / "gridgov" / "web" / "static" / "vendor"
CLUSTER = {  # as GG.map.caseLayer (src/gridgov/web/static/js/map.js)
    "chunkedLoading": True,
    "disableClusteringAtZoom": 16,
    "maxClusterRadius": 60,
    "showCoverageOnHover": False,
    "spiderfyOnMaxZoom": False,
}

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>%s %s %s
#map { width: 1280px; height: 800px; }</style></head><body><div id="map"></div></body></html>"""

RENDER = """async ([points, clustered, options]) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const map = L.map("map", { maxZoom: 19 }).setView([34.75, 113.65], 11);
  await frame();
  const renderer = L.canvas({ padding: 0.3 });
  const t0 = performance.now();
  const markers = points.map(([lat, lon], i) => L.circleMarker([lat, lon], { renderer, radius: 5, weight: 1,
    color: "#fff", fillColor: "#1d4ed8", fillOpacity: 0.9 }).bindTooltip("案件 " + i));
  let layer;
  if (clustered) {
    await new Promise((done) => {
      const chunkProgress = (n, total) => { if (n === total) done(); };
      layer = L.markerClusterGroup({ ...options, chunkProgress }).addTo(map);
      layer.addLayers(markers);
    });
  } else {
    layer = L.layerGroup(markers).addTo(map);
  }
  await frame();
  const first = performance.now() - t0;
  const t1 = performance.now();
  map.setZoom(12, { animate: false });
  await frame();
  const zoom = performance.now() - t1;
  const icons = document.querySelectorAll(".marker-cluster").length;
  return { first, zoom, icons };
}"""


def run(points: int, runs: int, seed: int) -> dict[str, list[dict[str, float]]]:
    from playwright.sync_api import sync_playwright

    rng = random.Random(seed)
    pts = [[round(rng.uniform(34.60, 34.90), 6), round(rng.uniform(113.45, 113.85), 6)] for _ in range(points)]
    css = [
        (VENDOR / f).read_text()
        for f in (
            "leaflet/leaflet.css",
            "leaflet.markercluster/MarkerCluster.css",
            "leaflet.markercluster/MarkerCluster.Default.css",
        )
    ]
    out: dict[str, list[dict[str, float]]] = {"clustered": [], "plain": []}
    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        for i in range(runs):
            for mode in ("plain", "clustered") if i % 2 else ("clustered", "plain"):  # alternate the order
                page = chrome.new_page(viewport={"width": 1280, "height": 800})
                page.set_content(PAGE % tuple(css))
                page.add_script_tag(path=str(VENDOR / "leaflet" / "leaflet.js"))
                page.add_script_tag(path=str(VENDOR / "leaflet.markercluster" / "leaflet.markercluster.js"))
                out[mode].append(page.evaluate(RENDER, [pts, mode == "clustered", CLUSTER]))
                page.close()
        chrome.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=18)
    add_smoke(ap)
    args = apply_smoke(ap, ap.parse_args(), points=500, runs=1)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: nothing measured")
        return
    got = run(args.points, args.runs, args.seed)
    print(f"map render benchmark: {args.points} points, {args.runs} runs each, chromium, {os.cpu_count()} CPUs")
    print(f"{'map':<26}{'first render p50 ms':>21}{'max ms':>10}{'zoom step p50 ms':>18}{'icons':>8}")
    for mode, label in (("clustered", "clustered (markercluster)"), ("plain", "no clustering (baseline)")):
        rows = got[mode]
        first = [r["first"] for r in rows]
        zoom = [r["zoom"] for r in rows]
        icons = int(rows[-1]["icons"]) if mode == "clustered" else args.points
        print(
            f"{label:<26}{statistics.median(first):>21.0f}{max(first):>10.0f}{statistics.median(zoom):>18.0f}{icons:>8}"
        )
    print("icons: cluster icons drawn (clustered) or points drawn one by one (no clustering), at zoom 12")
    print(json.dumps({m: [{k: round(v, 1) for k, v in r.items()} for r in rows] for m, rows in got.items()}))


if __name__ == "__main__":
    main()
