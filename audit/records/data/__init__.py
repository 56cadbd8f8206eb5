"""Data files of `rgpd_audit.records`, read through `rgpd_audit.datafiles` (no code here)."""
