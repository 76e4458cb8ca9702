from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from gridgov.basemap import open_package, tile_touches
from gridgov.errors import NotFound, ValidationFailed
from gridgov.geo.services import divisions_geojson, geometry_geojson
from gridgov.grids import queries
from gridgov.units import queries as unit_queries
from gridgov.web.deps import ContainerDep, CurrentActor, PageNo

router = APIRouter(prefix="/api/v1/grids", tags=["网格 grids"])


@router.get("/locate", summary="坐标定位: 点 → 三级网格及其上级")
def locate(
    container: ContainerDep,
    actor: CurrentActor,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    crs: Annotated[str, Query(max_length=20, description="wgs84 | gcj02 | bd09 | cgcs2000 (及常见别名)")] = "wgs84",
) -> dict[str, Any]:
    locator = container.locator()
    if locator is None:
        raise NotFound("尚无启用的网格版本")
    found = locator.locate(lat, lon, crs)
    with container.sessions() as session:
        names = queries.names(session, locator.version_id, [*found.ancestors, *([found.code] if found.code else [])])
    chain = [{"code": c, "name": names.get(c)} for c in found.ancestors]
    return {
        "inside": found.inside,
        "code": found.code,
        "name": names.get(found.code) if found.code else None,
        "ancestors": chain,
        "lat": found.lat,
        "lon": found.lon,
        "crs": "wgs84",
        "grid_version_id": locator.version_id,
        "message": None if found.inside else "该坐标不在本市网格范围内",
    }


@router.get("/address", summary="地址解析: 文字 → 区/街道/社区")
def address(
    container: ContainerDep, actor: CurrentActor, text: Annotated[str, Query(min_length=1, max_length=300)]
) -> dict[str, Any]:
    locator = container.locator()
    if locator is None:
        raise NotFound("尚无启用的网格版本")
    m = locator.parse_address(text)
    return {
        "code": m.code,
        "name": m.name,
        "level": int(m.level) if m.level is not None else None,
        "confidence": m.confidence,
        "ambiguous": m.ambiguous,
        "candidates": [
            {"code": c.code, "name": c.name, "level": int(c.level), "confidence": c.confidence} for c in m.candidates
        ],
    }


@router.get("/divisions", summary="区县/街道/社区边界及标注点 (按缩放级别简化, 可按范围裁剪)")
def divisions(
    container: ContainerDep,
    actor: CurrentActor,
    level: Annotated[int, Query(ge=1, le=3, description="1 区县 | 2 街道/乡镇 | 3 社区/村")],
    zoom: Annotated[int, Query(ge=0, le=22)] = 12,
    crs: Annotated[str, Query(pattern="^(wgs84|gcj02|bd09|cgcs2000)$")] = "wgs84",
    bbox: Annotated[str | None, Query(max_length=120, description="west,south,east,north")] = None,
) -> dict[str, Any]:
    box = None
    if bbox:
        try:
            w, so, e, n = (float(v) for v in bbox.split(","))
        except ValueError:
            raise ValidationFailed("bbox 须为 west,south,east,north 四个数", field="bbox") from None
        box = (w, so, e, n)
    return divisions_geojson(container.sessions, level, zoom, crs, box)


@router.get("/{code}/geometry", summary="网格边界 GeoJSON (按缩放级别简化)")
def geometry(
    code: str,
    container: ContainerDep,
    actor: CurrentActor,
    zoom: Annotated[int | None, Query(ge=0, le=22)] = None,
    crs: Annotated[str, Query(pattern="^(wgs84|gcj02|bd09|cgcs2000)$")] = "wgs84",
    children: bool = False,
) -> dict[str, Any]:
    return geometry_geojson(container.sessions, code, zoom, crs, children)


@router.get("/{code}", summary="网格详情 (含上级链、单位、组织)")
def grid(code: str, container: ContainerDep, actor: CurrentActor) -> dict[str, Any]:
    with container.sessions() as session:
        return unit_queries.grid_detail(session, code)


@router.get("/{code}/children", summary="下级网格")
def children(
    code: str,
    container: ContainerDep,
    actor: CurrentActor,
    page: PageNo = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    with container.sessions() as session:
        return unit_queries.grid_children(session, code, page, page_size)


# -- the offline basemap: an MBTiles package served by gridgov itself (docs/geo.md#basemaps) ---------------------

tiles_router = APIRouter(tags=["底图 basemap"])
TILE_CACHE = "public, max-age=86400"
EMPTY_TILE_CACHE = "public, max-age=3600"


@tiles_router.get(
    "/tiles/{z:int}/{x:int}/{y:int}.{ext}",
    summary="离线底图瓦片 (GRIDGOV_MAP_MBTILES, XYZ 编号)",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}, "image/jpeg": {}, "application/x-protobuf": {}}},
        204: {"description": "矢量瓦片包在其范围内没有此瓦片 (空瓦片)"},
        404: {},
    },
    openapi_extra={"x-roles": "public"},  # a basemap is not secret; the resident's report page draws it
)
def tile(z: int, x: int, y: int, ext: str, request: Request, container: ContainerDep) -> Response:
    path = container.settings.map_mbtiles
    if not path:
        raise NotFound("未配置离线瓦片包 (GRIDGOV_MAP_MBTILES)")
    package = open_package(path)
    accepted = {"jpg", "jpeg"} if package.metadata.format in ("jpg", "jpeg") else {package.metadata.format}
    found = package.tile(z, x, y) if ext.lower() in accepted else None
    if found is None:
        meta = package.metadata
        inside = 0 <= x < 1 << z and 0 <= y < 1 << z and tile_touches(meta.bounds, z, x, y)
        if meta.format == "pbf" and ext.lower() == "pbf" and z <= meta.maxzoom and inside:
            # a vector package leaves out the tiles with nothing on them, and has none below its lowest zoom:
            # an empty tile, not an error, so the renderer draws the background instead of logging a failed
            # parse of an error body; kept for an hour only, so a package replaced with fuller one shows soon
            return Response(status_code=204, headers={"Cache-Control": EMPTY_TILE_CACHE})
        raise NotFound(f"瓦片不存在: {z}/{x}/{y}.{ext}")
    headers = {"ETag": found.etag, "Cache-Control": TILE_CACHE}
    if found.gzip:
        headers["Content-Encoding"] = "gzip"
    if found.etag in request.headers.get("If-None-Match", ""):
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=found.content_type, headers=headers)
