"""Grid file import: every listed problem is caught, with its feature index; a valid file passes."""

from __future__ import annotations

import json
from typing import Any

import pytest
import shapely

from gridgov.errors import ValidationFailed
from gridgov.geo.geojson import GridFileInvalid, dump_feature_collection, parse_feature_collection, simplify_for_zoom
from gridgov.grids.domain import GridLevel

CITY, DISTRICT, STREET, L2 = "410100000000000", "410102000000000", "410102001000000", "410102001001000"
A, B = "410102001001001", "410102001001002"


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feat(code: str, level: int, parent: str | None, geometry: Any, name: str = "网格") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent},
        "geometry": geometry,
    }


def valid_features() -> list[dict[str, Any]]:
    return [
        feat(CITY, 0, None, box(113.0, 34.0, 114.0, 35.0), "郑州市"),
        feat(DISTRICT, 1, CITY, box(113.0, 34.0, 113.5, 34.5), "中原区"),
        feat(STREET, 2, DISTRICT, box(113.0, 34.0, 113.2, 34.2), "林山寨街道"),
        feat(L2, 3, STREET, box(113.0, 34.0, 113.1, 34.1)),
        feat(A, 4, L2, box(113.0, 34.0, 113.05, 34.1)),
        feat(B, 4, L2, box(113.05, 34.0, 113.1, 34.1)),
    ]


def collection(features: list[dict[str, Any]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def refused(text: str) -> GridFileInvalid:
    with pytest.raises(GridFileInvalid) as err:
        parse_feature_collection(text)
    assert isinstance(err.value, ValidationFailed)
    assert err.value.code == "grid_file_invalid"
    return err.value


def test_a_valid_file_is_accepted_and_round_trips() -> None:
    parsed = parse_feature_collection(collection(valid_features()))
    assert [r.code for r in parsed.records] == [CITY, DISTRICT, STREET, L2, A, B]
    assert parsed.count_by_level()[GridLevel.MICRO] == 2
    again = parse_feature_collection(dump_feature_collection(parsed.records))
    assert [(r.code, r.name, r.level, r.parent_code) for r in again.records] == [
        (r.code, r.name, r.level, r.parent_code) for r in parsed.records
    ]
    assert all(x.geometry.equals(y.geometry) for x, y in zip(parsed.records, again.records, strict=True))


def test_bad_json_is_refused() -> None:
    err = refused('{"type": "FeatureCollection", "features": [')
    assert err.problems[0].index is None
    assert "JSON 格式错误" in str(err)


def test_missing_properties_are_named_with_the_feature_index() -> None:
    features = valid_features()
    del features[3]["properties"]["name"]
    del features[3]["properties"]["parent_code"]
    err = refused(collection(features))
    assert [(p.index, p.code) for p in err.problems] == [(3, L2)]
    assert "缺少属性: name, parent_code" in str(err)
    assert "第3个要素" in str(err)


def test_a_self_intersecting_polygon_is_refused() -> None:
    features = valid_features()
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[113.0, 34.0], [113.05, 34.1], [113.05, 34.0], [113.0, 34.1], [113.0, 34.0]]],
    }
    features[4]["geometry"] = bowtie
    err = refused(collection(features))
    assert any(p.index == 4 and "自相交" in p.problem for p in err.problems)
    assert "第4个要素" in str(err)


def test_a_point_geometry_is_refused() -> None:
    features = valid_features()
    features[5]["geometry"] = {"type": "Point", "coordinates": [113.0, 34.0]}
    err = refused(collection(features))
    assert any(p.index == 5 and "Polygon" in p.problem for p in err.problems)


def test_duplicate_codes_are_refused() -> None:
    features = [*valid_features(), feat(B, 4, L2, box(113.05, 34.0, 113.1, 34.1))]
    err = refused(collection(features))
    assert any(p.index == 6 and p.code == B and "编码重复（与第5个要素相同）" in p.problem for p in err.problems)


def test_a_parent_missing_from_the_file_is_refused() -> None:
    features = [f for f in valid_features() if f["properties"]["code"] != STREET]
    err = refused(collection(features))
    assert [(p.index, p.code) for p in err.problems] == [(2, L2)]
    assert f"上级网格 {STREET} 不在文件中" in str(err)


def test_a_child_outside_its_parent_is_refused() -> None:
    features = valid_features()
    features[5]["geometry"] = box(113.05, 34.0, 113.15, 34.1)  # half of it east of its L2
    err = refused(collection(features))
    assert any(p.index == 5 and p.code == B and "超出上级网格" in p.problem for p in err.problems)
    assert "第5个要素" in str(err)


def test_a_child_a_metre_over_its_parent_edge_is_tolerated() -> None:
    features = valid_features()
    features[5]["geometry"] = box(113.05, 34.0, 113.10001, 34.1)  # ~1 m beyond the L2's east edge
    parse_feature_collection(collection(features))


def test_overlapping_siblings_are_refused() -> None:
    features = valid_features()
    features[4]["geometry"] = box(113.0, 34.0, 113.07, 34.1)  # overlaps B by 0.02°
    err = refused(collection(features))
    assert any(p.index == 5 and p.code == B and f"与同级网格 {A}（第4个要素）重叠" in p.problem for p in err.problems)


def test_l3_grids_leaving_a_gap_in_their_l2_are_refused() -> None:
    features = valid_features()
    features[5]["geometry"] = box(113.05, 34.0, 113.1, 34.05)  # leaves the north-east quarter empty
    err = refused(collection(features))
    assert [(p.index, p.code) for p in err.problems] == [(3, L2)]
    assert "缺口" in err.problems[0].problem


def test_level_and_parent_must_agree_with_the_code() -> None:
    features = valid_features()
    features[4]["properties"]["level"] = 3
    features[5]["properties"]["parent_code"] = STREET
    err = refused(collection(features))
    problems = {(p.index, p.problem.split(" ")[0]) for p in err.problems}
    assert (4, "层级") in problems
    assert any(p.index == 5 and "上级编码" in p.problem for p in err.problems)


def test_every_problem_is_reported_not_just_the_first() -> None:
    features = valid_features()
    del features[1]["properties"]["level"]
    features[4]["geometry"] = box(113.0, 34.0, 113.07, 34.1)
    features.append(feat(B, 4, L2, box(113.05, 34.0, 113.1, 34.1)))
    err = refused(collection(features))
    assert {p.index for p in err.problems} >= {1, 5, 6}


def test_simplify_for_zoom_drops_vertices_at_low_zoom() -> None:
    circle = shapely.Point(113.6, 34.7).buffer(0.05, quad_segs=64)
    coarse = simplify_for_zoom(circle, 8)
    fine = simplify_for_zoom(circle, 16)
    assert shapely.get_num_coordinates(coarse) < shapely.get_num_coordinates(fine)
    assert coarse.is_valid
