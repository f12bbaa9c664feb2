"""How text is compared when a person searches: case and accents do not matter."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``text`` as search compares it: case-folded, compatibility-decomposed (NFKD) and without
    combining marks, so "Pokémon", "POKEMON" and "pokemon" fold alike, as do "München" and
    "Munchen", "Café" and "CAFE". The same function folds the stored text and the query."""
    if text.isascii():
        return text.lower()  # casefold() of ASCII is lower(), without the decomposition
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
