"""Filesystem tools."""
