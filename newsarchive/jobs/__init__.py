"""Offline jobs over an archive: ``import_warc`` (other tools' WARCs) and ``reextract`` (our own, again)."""
