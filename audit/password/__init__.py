"""Password strength (zxcvbn with a French list) and the CNIL 2022-100 password rules.

Only derived data ever leaves this package: a label chosen by the person, zxcvbn's score and
guess estimate, the CNIL verdict and French advice. Passwords themselves are never stored,
logged nor returned. Modules: `strength` (the only one that sees a password), `cnil`
(verdict), `policy` (declared policy), `practice` (the practice's words), `results`.
"""
