"""Server-rendered HTML pages for buyers (Dutch, no JavaScript)."""
