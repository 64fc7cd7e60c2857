"""Jiuzhu (救助): low-income population dynamic monitoring and one-click help."""
