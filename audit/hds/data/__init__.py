"""Data files of `rgpd_audit.hds`, read through `rgpd_audit.datafiles` (no code here)."""
