"""Where things are: grid geometry, coordinate systems, point-to-grid and address-to-grid.

Pure library code (shapely 2 + numpy); nothing here touches the database or runs at import time.

* :mod:`gridgov.geo.crs` — WGS-84 / CGCS2000 / GCJ-02 / BD-09 conversions; canonical is WGS-84.
* :mod:`gridgov.geo.generate` — Zhengzhou's demo geometry (real counties, generated grids).
* :mod:`gridgov.geo.geojson` — grid FeatureCollection import (validated) and export.
* :mod:`gridgov.geo.locate` — :class:`~gridgov.geo.locate.GridIndex`, point → L3 grid.
* :mod:`gridgov.geo.address` — address text → district / street / community.
* :mod:`gridgov.geo.ports` — the ``AreaLookup`` port; ``shapes`` (shapely) and ``fixed`` (fake) adapters.
"""
