"""Datasette configuration shipped with newsarchive."""

from pathlib import Path

METADATA_PATH = Path(__file__).with_name("metadata.json")
