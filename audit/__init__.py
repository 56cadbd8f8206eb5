"""rgpd-audit : audit RGPD/CNIL des cabinets de santé."""

__version__ = "0.1.0"
