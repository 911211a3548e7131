"""Verdicts on the claims register (data/claims.csv).

A chapter gives every claim assigned to it a verdict with its evidence; numeric verdicts come from
:func:`numeric_verdict` or :func:`bound_verdict` on computed values, never typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

VERDICTS = ("confirmed", "needs a caveat", "contradicted", "cannot settle")


@dataclass(frozen=True)
class Verdict:
    """A verdict on one claim, with the evidence for it in a sentence."""

    verdict: str
    evidence: str

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}; use one of {VERDICTS}")
        if not self.evidence.strip():
            raise ValueError("a verdict needs its evidence")


def numeric_verdict(claimed: float, actual: float, tolerance: float = 0.01, caveat_tolerance: float = 0.10) -> str:
    """Compare a claimed number with the computed one, by relative difference.

    Within ``tolerance`` (default 1 %): confirmed; within ``caveat_tolerance`` (default 10 %):
    needs a caveat; beyond: contradicted.
    """
    if claimed == 0:
        raise ValueError("a relative comparison needs a non-zero claimed value")
    gap = abs(actual - claimed) / abs(claimed)
    if gap <= tolerance:
        return "confirmed"
    return "needs a caveat" if gap <= caveat_tolerance else "contradicted"


def bound_verdict(actual: float, bound: float, above: bool) -> str:
    """A claim that a value exceeds (``above=True``) or stays below ``bound``: confirmed or contradicted."""
    holds = actual > bound if above else actual < bound
    return "confirmed" if holds else "contradicted"


def verdict_table(claims: pd.DataFrame, chapter: str, verdicts: dict[str, Verdict]) -> pd.DataFrame:
    """The chapter's claims with their verdicts; raises if a claim of the chapter has none or an id is unknown."""
    own = claims[claims["chapter"] == chapter]
    missing = sorted(set(own["claim_id"]) - set(verdicts))
    unknown = sorted(set(verdicts) - set(own["claim_id"]))
    if missing or unknown:
        raise ValueError(f"chapter {chapter!r}: claims without a verdict {missing}; verdicts for unknown claims {unknown}")
    table = own[["claim_id", "seed_file", "kind", "claim"]].copy()
    table["verdict"] = table["claim_id"].map(lambda c: verdicts[c].verdict)
    table["evidence"] = table["claim_id"].map(lambda c: verdicts[c].evidence)
    return table.reset_index(drop=True)
