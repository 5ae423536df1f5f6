"""Governance bodies, review cycles and meetings will live here."""
