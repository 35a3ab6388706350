"""Bulk import of household survey files: reading uploads, parsing cells, validating and writing rows."""
