"""Web tools: URL analysis, scraping, page monitoring, sitemaps (network policy applies)."""
