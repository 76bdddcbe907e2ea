"""The SQLite database: buffered writes (``store``), named migrations (``schema``) and summaries (``report``)."""
