"""Stage 2, compile: the model -> the compiled charter (`compile.ir`), a value every later stage reads.

Names are resolved, types and currencies checked, conditions compiled
(`compile.conditions`) and the ways in (grants and delegation chains) worked out.
"""
