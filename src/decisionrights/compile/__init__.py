"""Stage 2, compile: the model -> the compiled charter (`compile.ir`), a value every later stage reads.

It takes the model (`syntax.model`), never the text: nothing here imports the parser.
`stages` runs the named stages in order (`STAGES`) on one `context.Context`:
`declare` (header lines, roles, decisions, the reporting line, currencies),
`statements` (grants, forbids, delegations, escalations, expectations), `ways`
(the delegation closure: every way in, `Way`). `resolve` looks names up, checks
types, currencies and values and compiles conditions (`conditions`); `currencies`
is the ISO 4217 list. Entry points: `stages.compile_charter`, `stages.compile_partial`,
`stages.errors_beside`; `resolve.suggest` finds the name a slip misspells.
"""
