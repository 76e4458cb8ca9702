#!/usr/bin/env bash
# Re-create src/gridgov/web/static/vendor from the npm registry (maintainers only; users never run this:
# the files are committed and shipped inside the gridgov package, so nothing is fetched at run time).
# Pinned versions and the sha256 of each npm tarball; the script refuses a tarball that does not match.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=src/gridgov/web/static/vendor
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
fetch() {  # name version sha256
  (cd "$WORK" && npm pack --silent "$1@$2" >/dev/null)
  local tgz="$WORK/$1-$2.tgz"
  echo "$3  $tgz" | sha256sum -c --quiet
  mkdir -p "$WORK/$1" && tar xzf "$tgz" -C "$WORK/$1"
}
fetch leaflet 1.9.4 84c65a256e50657896f54c33bd857b6849ebe94c817803be818bf32a3dde0b77
fetch echarts 6.1.0 681aff88cc1038c3fa941a3a53d1b177a52250b05335efc607d6105ae13be481
fetch htmx.org 2.0.11 165a2655073e9e6e55e307a7c74e8ebcdb76afb7701f9c16cfd106a13add408e
fetch leaflet.markercluster 1.5.3 fc6b0b1d00b6c708ae54e43ee4a11ac345e41660e19f0a570190bb35babb1a1c
fetch leaflet.heat 0.2.0 6d980bce16b6bbe8e3b124d200dfd12964ff8f6bfff44eb3a47344f97dfc5c7f
fetch protomaps-leaflet 5.1.0 0b45b08d0e6f7d39816415dbe6821d0556e7997ec716ed0123305cc1fe5a3fd8
rm -rf "$DEST" && mkdir -p "$DEST/leaflet/images" "$DEST/echarts" "$DEST/htmx" "$DEST/leaflet.markercluster" "$DEST/leaflet.heat" "$DEST/protomaps-leaflet"
cp "$WORK/leaflet/package/dist/leaflet.js" "$WORK/leaflet/package/dist/leaflet.css" "$WORK/leaflet/package/LICENSE" "$DEST/leaflet/"
cp "$WORK/leaflet/package/dist/images/"*.png "$DEST/leaflet/images/"
cp "$WORK/echarts/package/dist/echarts.min.js" "$WORK/echarts/package/LICENSE" "$WORK/echarts/package/NOTICE" "$DEST/echarts/"
cp "$WORK/htmx.org/package/dist/htmx.min.js" "$WORK/htmx.org/package/LICENSE" "$DEST/htmx/"
MC="$WORK/leaflet.markercluster/package"
cp "$MC/dist/leaflet.markercluster.js" "$MC/dist/MarkerCluster.css" "$MC/dist/MarkerCluster.Default.css" "$MC/MIT-LICENCE.txt" "$DEST/leaflet.markercluster/"
cp "$WORK/leaflet.heat/package/dist/leaflet-heat.js" "$WORK/leaflet.heat/package/LICENSE" "$DEST/leaflet.heat/"
# the vector-tile renderer (canvas 2D, no WebGL, no web workers): draws pbf packages on Leaflet (js/basemap.js)
cp "$WORK/protomaps-leaflet/package/dist/protomaps-leaflet.js" "$WORK/protomaps-leaflet/package/LICENSE" "$DEST/protomaps-leaflet/"
cp scripts/protomaps-leaflet-NOTICE "$DEST/protomaps-leaflet/NOTICE"
printf 'leaflet 1.9.4 (BSD-2-Clause)\necharts 6.1.0 (Apache-2.0)\nhtmx.org 2.0.11 (0BSD)\nleaflet.markercluster 1.5.3 (MIT)\nleaflet.heat 0.2.0 (BSD-2-Clause, bundles simpleheat)\nprotomaps-leaflet 5.1.0 (BSD-3-Clause, bundles what NOTICE names)\n' > "$DEST/VERSIONS"
echo "vendored into $DEST"
