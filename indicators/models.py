"""Indicator results (models arrive with the scoring issue)."""
