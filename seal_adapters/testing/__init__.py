"""Helpers for tests and benchmarks: locally built tiny models and synthetic data."""
