"""Reproducible training of the analysis engine's models (see README.md)."""
