"""Working on the corpus as a whole: near-duplicate clusters (neardup)."""
