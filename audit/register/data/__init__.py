"""Data files of `rgpd_audit.register`, read through `rgpd_audit.datafiles` (no code here)."""
