"""Media tools."""
