"""Precision assistance (精准救助)."""
