"""Crossroads loaders: publishers' files in, tidy typed Parquet with provenance out.

Stages (see DESIGN.md): fetch raw bytes -> read (one reader per format) -> dataset step
(registry filters and code harmonisation) -> indicators -> atomic write with a manifest.
"""

LOADER_VERSION = "1.0.0"
