"""Utility tools."""
