"""What the tests look for in pages and feeds."""

import unicodedata


def undisplayable(text: str) -> list[str]:
    """Characters XML 1.0 forbids or HTML reports as parse errors: controls, surrogates, U+FFFE, U+FFFF."""
    return [
        c
        for c in text
        if (unicodedata.category(c) == "Cc" and c not in "\t\n\r")
        or unicodedata.category(c) == "Cs"
        or c in "\ufffe\uffff"
    ]
