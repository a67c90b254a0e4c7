"""Community views, one module per concern: the site, forums, people, digest."""
