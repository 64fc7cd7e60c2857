"""The administrative region tree and jurisdiction."""
