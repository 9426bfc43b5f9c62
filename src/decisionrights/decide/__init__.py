"""Stage 3, decide: one request against the compiled charter -> an `Answer`.

`request` validates the attributes, `rule` is the combining rule as it reads
(a per-pair plan and `combine`), `fastpath` the same plan generated as Python,
`deciders` the per-charter cache of validators and generated pairs (a `Charter`
owns one), `answer` the result, `explain` the answer in words. Imports only
compile and the ground floor.
"""
