"""API tools: HTTP requests, API tests, webhooks, GraphQL (network policy applies)."""
