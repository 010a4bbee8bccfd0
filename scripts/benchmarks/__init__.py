"""Benchmarks, baselines, the load test and the facet evaluation.

Measurements of the product, never shipped in its wheel.
"""
