"""Data tools."""
