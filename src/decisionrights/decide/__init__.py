"""Stage 3, decide: one request against the compiled charter -> an `Answer`.

`request` validates the attributes, `rule` is the combining rule as it reads,
`fastpath` the same rule generated as Python, `answer` the result.
"""
