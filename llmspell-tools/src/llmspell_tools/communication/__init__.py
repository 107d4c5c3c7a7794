"""Communication tools: email, Slack, GitHub (network policy applies)."""
