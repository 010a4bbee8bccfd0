"""Search: a SearchRequest in, a SearchResult out, over snapshots of the index.

Knows nothing of ingest or facet extraction.
"""
