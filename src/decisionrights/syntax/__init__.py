"""Stage 1, syntax: charter text -> the model (`syntax.model`), with every problem located.

`source` is not here but one floor below (shared by every stage). `parse` is the
only module that uses lark; `fmt` rewrites text in the canonical layout.
"""
