"""Eligibility: the rules (``rules``), one household on a date, and the district worklist."""
