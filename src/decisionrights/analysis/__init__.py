"""Stage 4, analysis: questions about every request at once.

`regions` is exact set algebra over requests; `authority` what a role holds;
`lint` the checks, one rule per module; `diff` what changed between two
charters; `expect` runs a charter's own `expect` lines (`decisionrights test`).
"""
