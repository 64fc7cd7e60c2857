"""Benchmarks: ``python bench/intake.py`` (one-click help submit and the staff queue)."""
