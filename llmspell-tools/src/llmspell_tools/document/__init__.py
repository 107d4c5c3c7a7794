"""Document tools."""
