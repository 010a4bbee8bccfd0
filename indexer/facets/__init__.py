"""Companies and technologies extracted from article text, with the data files they read. Never touches the index."""
