"""Portfolio mode (`rgpd-audit batch`): every practice of a client list, one command.

Small modules with one job each: `clients` (the client list, CSV or XLSX, validated up
front), `plan` (a row of the list → a `PracticeJob`), `state` (what is finished, for
`--resume`), `executor` (local threads or a Dask cluster, bounded and streamed), `progress`
(the terminal display), `summary` (summary.csv and summary.xlsx) and `report` (the portfolio
PDF). The per-practice work itself is `rgpd_audit.practice.process_practice`, the same as
`run`'s. Nothing here is imported by `rgpd-audit --help`.
"""
