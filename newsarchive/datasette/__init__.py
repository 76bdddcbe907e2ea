"""Datasette configuration shipped with newsarchive: metadata (facets, canned queries, the chart),
templates (the article page, the reading list, ranked search) and a plugin (see plugins/reading_room.py)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
METADATA_PATH = HERE / "metadata.json"
TEMPLATES_DIR = HERE / "templates"
PLUGINS_DIR = HERE / "plugins"


def datasette_options() -> list[str]:
    """The ``datasette serve`` options that give an archive database the reading room."""
    return ["--metadata", str(METADATA_PATH), "--template-dir", str(TEMPLATES_DIR), "--plugins-dir", str(PLUGINS_DIR)]


def reading_room(*files: str | Path, **kwargs):
    """A ``datasette.app.Datasette`` serving ``files`` with all of it (for tests and Python users)."""
    import json

    from datasette.app import Datasette

    return Datasette([str(f) for f in files], metadata=json.loads(METADATA_PATH.read_text()),
                     template_dir=str(TEMPLATES_DIR), plugins_dir=str(PLUGINS_DIR), **kwargs)
