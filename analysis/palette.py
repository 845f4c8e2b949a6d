"""The figures' colours and the colour-vision check behind them.

Colours are Okabe-Ito, chosen so that every colour a figure uses for a distinct meaning stays
distinct under simulated deuteranopia and protanopia (Machado, Oliveira & Fernandes 2009,
severity 1, applied in linear RGB): `min_distance` is the smallest CIE76 colour difference
(Delta E in CIELAB) between any two of them, normal vision and both deficiencies included.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

# model classes (in sorted order), then the fixed kinds
CLASS_PALETTE = ("#0072B2", "#56B4E9", "#000000", "#009E73", "#CC79A7")
STRATEGY_PALETTE = ("#0072B2", "#009E73", "#E69F00", "#000000", "#56B4E9")
HUMAN = "#E69F00"
CONTROL = "#7F7F7F"
EQUIVALENCE = "#009E73"

MACHADO = {
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
}
_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(colour: str) -> np.ndarray:
    """'#RRGGBB' as linear RGB in [0, 1]."""
    srgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(linear: np.ndarray) -> np.ndarray:
    """Linear RGB to CIELAB (D65)."""
    xyz = _XYZ @ np.clip(linear, 0, 1) / _WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def simulate(colour: str, deficiency: str | None) -> np.ndarray:
    """The colour as seen with `deficiency` (None: normal vision), in CIELAB."""
    rgb = linear_rgb(colour)
    return lab(rgb if deficiency is None else MACHADO[deficiency] @ rgb)


def min_distance(colours: list[str]) -> float:
    """The smallest Delta E between two of `colours` under normal vision, deuteranopia and
    protanopia (inf for fewer than two colours)."""
    unique = sorted(set(colours))
    if len(unique) < 2:
        return float("inf")
    return min(
        float(np.linalg.norm(simulate(a, d) - simulate(b, d)))
        for d in (None, *MACHADO)
        for a, b in combinations(unique, 2)
    )
