"""Names that look alike but are not the same: `сfo` (Cyrillic `с`) beside `cfo`.

A charter is read by people, so two names that render the same are a trap: a
grant to `сfo` reads as a grant to `cfo` but gives the real `cfo` nothing.
Like Cedar's confusable-identifier warnings (after Unicode TR #39), this finds

- *confusables*: two distinct names with the same skeleton — the name with
  compatibility forms folded (NFKC: `ｃｆｏ` → `cfo`) and the common Cyrillic
  and Greek look-alikes of Latin letters (and `0`/`1`/`I`) mapped to the letter
  they imitate;
- *mixed scripts*: one name that mixes letters of several scripts (`cfо` with
  a Cyrillic `о`), which is almost never meant.

Pure and without state; `find_confusables` takes (name, span) pairs and
returns one `Confusable` per finding, in the order of the names given.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, NamedTuple

from ..source import Span

__all__ = ["Confusable", "find_confusables", "scripts", "skeleton"]

# Letters of other scripts that render like a Latin letter (or digit) in common fonts.
# A subset of Unicode's confusables.txt, chosen for the scripts names are written in.
_LOOKALIKE = str.maketrans({
    # Cyrillic, lower case
    "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "з": "3", "и": "u", "к": "k", "л": "n", "м": "m",
    "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ь": "b", "ѕ": "s",
    "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ү": "y", "ɡ": "g",
    # Cyrillic, upper case
    "А": "A", "В": "B", "Е": "E", "З": "3", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "l", "Ј": "J", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    # Greek, lower case
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
    # Greek, upper case
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "l", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
    # Latin and digits that imitate each other
    "0": "o", "O": "o", "1": "l", "I": "l", "ı": "i", "ℓ": "l",
})

# Scripts that are written together and so do not count as "mixed".
_SCRIPT_GROUPS = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "BOPOMOFO": "CJK", "CJK": "CJK"}


class Confusable(NamedTuple):
    """One finding: `name` (at `span`) is `kind` — `"confusable"` with `like`, or `"mixed-script"`."""

    kind: str
    name: str
    span: Span
    like: str | None
    like_span: Span | None
    message: str


def skeleton(name: str) -> str:
    """What a name looks like: equal skeletons render alike (`сfo` and `cfo` both give `cfo`)."""
    folded = unicodedata.normalize("NFKC", name)
    # Twice, so a look-alike of a look-alike lands on the same letter (Greek `Ο` → `O` → `o`).
    return unicodedata.normalize("NFD", folded).translate(_LOOKALIKE).translate(_LOOKALIKE)


def scripts(name: str) -> set[str]:
    """The scripts of a name's letters (`LATIN`, `CYRILLIC`, …); digits and `_` belong to none."""
    found = set()
    for char in unicodedata.normalize("NFKC", name):
        if not char.isalpha():
            continue
        words = unicodedata.name(char, "UNKNOWN").split()
        script = words[0]
        if script in ("MODIFIER", "SMALL", "FULLWIDTH", "MATHEMATICAL") and len(words) > 1:
            script = words[1]
        found.add(_SCRIPT_GROUPS.get(script, script))
    return found


def _describe(name: str) -> str:
    """`сfo` → `сfo` (U+0441 CYRILLIC SMALL LETTER ES at 1): where a name leaves plain ASCII."""
    odd = [(i, ch) for i, ch in enumerate(name) if not ch.isascii()]
    if not odd:
        return f"`{name}`"
    i, ch = odd[0]
    more = f" and {len(odd) - 1} more" if len(odd) > 1 else ""
    return f"`{name}` (letter {i + 1} is U+{ord(ch):04X} {unicodedata.name(ch, '?')}{more})"


def find_confusables(names: Iterable[tuple[str, Span]]) -> list[Confusable]:
    """Every name that mixes scripts, and every name that looks like an earlier, different one.

    Pass the names of one charter (roles, decisions, attributes, choices) with
    the span of each declaration; a name given twice is counted once.
    """
    found: list[Confusable] = []
    first_by_skeleton: dict[str, tuple[str, Span]] = {}
    seen: set[str] = set()
    for name, span in names:
        if name in seen:
            continue
        seen.add(name)
        mixed = scripts(name)
        if len(mixed) > 1:
            found.append(Confusable(
                "mixed-script", name, span, None, None,
                f"{_describe(name)} mixes letters of several scripts ({', '.join(sorted(mixed)).lower()})"))
        key = skeleton(name)
        earlier = first_by_skeleton.get(key)
        if earlier is None:
            first_by_skeleton[key] = (name, span)
        elif earlier[0] != name:
            found.append(Confusable(
                "confusable", name, span, earlier[0], earlier[1],
                f"{_describe(name)} looks like {_describe(earlier[0])} but is a different name"))
    return found
