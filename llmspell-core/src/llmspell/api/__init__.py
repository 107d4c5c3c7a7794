"""The script API implemented once: one module per global, registered as a plugin."""
