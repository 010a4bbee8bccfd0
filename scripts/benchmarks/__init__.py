"""Benchmarks, baselines, the load test and the facet evaluation: measurements of the product, never shipped in its wheel."""
