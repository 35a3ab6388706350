"""Household registry and survey data (models arrive with the households issue)."""
