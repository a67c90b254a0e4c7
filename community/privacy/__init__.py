"""Privacy by design: consent, data export, erasure, retention, requests about case studies."""
