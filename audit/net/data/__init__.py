"""Data files of `rgpd_audit.net`, read through `rgpd_audit.datafiles` (no code here)."""
