"""The grid worker's screen as an offline web app: the manifest, the service worker and what it keeps."""

from __future__ import annotations

import re

import httpx

from gridgov.screens import pwa

from conftest import World


def test_the_manifest_opens_the_worker_screen_on_its_own(client: httpx.Client) -> None:
    r = client.get("/worker/manifest.webmanifest")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/manifest+json")
    manifest = r.json()
    assert manifest["start_url"] == manifest["scope"] == "/worker" and manifest["display"] == "standalone"
    assert manifest["lang"] == "zh-CN" and manifest["icons"]


def test_the_service_worker_scopes_the_worker_screen_and_keeps_its_files(client: httpx.Client) -> None:
    r = client.get("/worker/sw.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert r.headers["service-worker-allowed"] == "/worker" and r.headers["cache-control"] == "no-cache"
    source = r.text
    assert source.startswith('"use strict";')
    cache = re.search(r'const CACHE = "(gg-worker-[0-9a-f]{16})";', source)
    assert cache is not None and cache.group(1) == pwa.service_worker()[1]
    for path in pwa.ASSETS:  # every file it keeps is served
        assert client.get(path).status_code == 200, path


def test_the_cache_is_named_after_the_files_it_keeps() -> None:
    files = {path: f"/* {path} */".encode() for path in pwa.ASSETS}
    first = pwa.cache_name(files)
    assert pwa.cache_name(dict(reversed(files.items()))) == first  # the same files: the phone keeps its cache
    changed = files | {"/static/js/worker.js": b"/* a new release */"}
    assert pwa.cache_name(changed) != first  # one file changed: a new cache, the old one dropped


def test_the_worker_screen_asks_only_for_files_the_service_worker_keeps(client: httpx.Client, clean: World) -> None:
    page = client.get("/worker", headers={"Authorization": f"Bearer {clean.tokens['grid-worker']}"})
    assert page.status_code == 200
    html = page.text
    assert '<link rel="manifest" href="/worker/manifest.webmanifest">' in html
    asked = set(re.findall(r'(?:src|href)="(/static/[^"?#]+)"', html))
    assert asked and asked <= set(pwa.ASSETS), asked - set(pwa.ASSETS)
    assert 'id="outbox"' in html and "待发送" in html
    # scripts the page's own scripts fetch later are kept too: the vector-tile renderer basemap.js loads
    basemap_js = client.get("/static/js/basemap.js").text
    fetched = set(re.findall(r'"(/static/vendor/[^"]+\.js)"', basemap_js))
    assert fetched == {"/static/vendor/protomaps-leaflet/protomaps-leaflet.js"} and fetched <= set(pwa.ASSETS)
