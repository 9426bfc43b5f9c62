"""Stage 1, syntax: charter text -> the model (`syntax.model`), with every problem located.

By job: `limits` checks the input before parsing (size, line length, nesting,
hidden characters); `parse` holds the grammar and lark's parsers and is the only
module that imports lark; `build` turns lark's output into model nodes (while
parsing, or from a tree); `recover` turns syntax errors into diagnostics and finds
the rest of them; `fmt` rewrites text in the canonical layout. `source` (text,
spans, decoding bytes) is not here but one floor below, shared by every stage.
"""
