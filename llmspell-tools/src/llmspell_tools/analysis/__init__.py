"""Analysis tools."""
