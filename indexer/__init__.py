"""Newsfacet's indexing side: ingest, clean, extract facets, write and search the index."""
