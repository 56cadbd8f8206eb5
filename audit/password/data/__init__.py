"""Data files of `rgpd_audit.password`, read through `rgpd_audit.datafiles` (no code here)."""
