"""Community views, one module per concern."""
