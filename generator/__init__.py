"""Repères: records of aid schemes, checked, then rendered into the agents' site."""

__version__ = "0.1.0"
