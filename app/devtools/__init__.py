"""Generators and demo data: synthetic populations for benchmarks, the demo district."""
