"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the case loop, at /open311/v2/."""
