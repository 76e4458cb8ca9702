"""The grid worker's screen as an installable web app that works without a signal: the web app manifest and the
service worker, both served under /worker so that the worker's scope is exactly that screen.

The service worker (static/js/worker-sw.js) keeps the screen, its scripts and styles in a cache named after
the content of those files, so a new release replaces the cache and an unchanged one keeps it. What the worker
files while offline waits in the page's IndexedDB outbox (static/js/outbox.js), not here: the service worker
never touches a request that changes something."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from gridgov.screens.domain import SCREENS

router = APIRouter(include_in_schema=False)

SCOPE = SCREENS["worker"].path  # "/worker": the screen and its partials (/worker/items)
MANIFEST = f"{SCOPE}/manifest.webmanifest"
SERVICE_WORKER = f"{SCOPE}/sw.js"
# what the worker's screen loads (screens/worker.html and screens/base.html); a test checks the page asks for
# nothing else of this server's static files
ASSETS: tuple[str, ...] = (
    "/static/app.css",
    "/static/favicon.svg",
    "/static/vendor/htmx/htmx.min.js",
    "/static/vendor/leaflet/leaflet.css",
    "/static/vendor/leaflet/leaflet.js",
    "/static/vendor/leaflet/images/marker-icon.png",
    "/static/vendor/leaflet/images/marker-icon-2x.png",
    "/static/vendor/leaflet/images/marker-shadow.png",
    "/static/vendor/leaflet/images/layers.png",
    "/static/js/common.js",
    "/static/js/picker.js",
    "/static/js/basemap.js",
    "/static/vendor/protomaps-leaflet/protomaps-leaflet.js",  # fetched by basemap.js for a vector package
    "/static/js/map.js",
    "/static/js/outbox.js",
    "/static/js/worker.js",
)


def _static(path: str) -> bytes:
    relative = path.removeprefix("/static/")
    return resources.files("gridgov.web").joinpath("static", *relative.split("/")).read_bytes()


def cache_name(files: Mapping[str, bytes]) -> str:
    """A digest of every file the service worker keeps (its own source included): any change to them installs
    a new cache and drops the old one; an unchanged release keeps what the phone has."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return "gg-worker-" + digest.hexdigest()[:16]


@cache
def service_worker() -> tuple[str, str]:
    """The service worker's source and its cache's name."""
    body = _static("/static/js/worker-sw.js")
    version = cache_name({"/static/js/worker-sw.js": body} | {path: _static(path) for path in ASSETS})
    precache = [SCOPE, MANIFEST, *ASSETS]
    head = f'"use strict";\nconst CACHE = {json.dumps(version)};\nconst SCOPE = {json.dumps(SCOPE)};\n'
    head += f"const PRECACHE = {json.dumps(precache)};\n"
    return head + body.decode(), version


@router.get(SERVICE_WORKER)
def worker_service_worker() -> Response:
    source, _ = service_worker()
    return Response(
        source,
        media_type="text/javascript",
        headers={
            "Service-Worker-Allowed": SCOPE,  # the script lives at /worker/sw.js, its scope is /worker itself
            "Cache-Control": "no-cache",  # the browser checks for a new release on every visit
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(MANIFEST)
def worker_manifest() -> Response:
    manifest = {
        "name": "gridgov 网格员",
        "short_name": "网格员",
        "description": "巡查上报与现场核查, 无网络时先存在手机上, 有网络时自动发送",
        "lang": "zh-CN",
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [{"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }
    return Response(
        json.dumps(manifest, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )
