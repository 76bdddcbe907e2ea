"""The WARC archive: writing records, reading them back, revisit history, CDXJ indexes and WACZ packages."""
