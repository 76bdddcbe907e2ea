"""Page processing: what one fetched page becomes (``page``, ``classify``), in a process pool (``pool``)."""
