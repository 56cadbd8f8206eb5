"""Data files of the catalogs and of the report (references, mail providers, scoring, glossary,
actions), read through `rgpd_audit.datafiles` (no code here)."""
