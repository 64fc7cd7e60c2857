"""The monitoring registry: households, members, categories, standards and eligibility."""
