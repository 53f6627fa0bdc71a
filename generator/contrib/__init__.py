"""Tools for contributors: JSON Schemas and the field reference."""
