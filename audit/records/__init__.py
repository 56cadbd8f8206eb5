"""Pure parsers of the DNS records and policies the mail checks judge (no network)."""
