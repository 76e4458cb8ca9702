"""gridgov: 网格化治理平台 — cases from report to rated close on a city's grid tree."""

__version__ = "0.1.0"
