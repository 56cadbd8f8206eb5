"""The article 30 processing register: import (XLSX, ODS, CSV, YAML), validation, starter files.

`load_register` reads a file into a `Register`; `validate` lists what each activity lacks;
`write_register` writes a register (the starter of `register init`) in any of the formats.
"""

from rgpd_audit.register.errors import RegisterError
from rgpd_audit.register.importer import load_register
from rgpd_audit.register.model import Activity, Location, Processor, Register
from rgpd_audit.register.rules import Issue, Validation, dpia_required, validate

__all__ = [
    "Activity",
    "Issue",
    "Location",
    "Processor",
    "Register",
    "RegisterError",
    "Validation",
    "dpia_required",
    "load_register",
    "validate",
]
