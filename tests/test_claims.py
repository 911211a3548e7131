"""Verdict rules against hand-checked cases, and the register's coverage of its chapters."""

import pandas as pd
import pytest

from llmecon.claims import Verdict, bound_verdict, numeric_verdict, verdict_table
from llmecon.data import load_table


def test_numeric_verdict_bands():
    assert numeric_verdict(25, 25.0) == "confirmed"
    assert numeric_verdict(25, 25.2) == "confirmed"  # 0.8 % off
    assert numeric_verdict(25, 16.7) == "contradicted"  # GPT-4o's August price: 33 % off
    assert numeric_verdict(0.99, 0.97) == "needs a caveat"  # 2 % off
    with pytest.raises(ValueError):
        numeric_verdict(0, 1)


def test_bound_verdict():
    assert bound_verdict(0.70, 0.60, above=True) == "confirmed"
    assert bound_verdict(0.60, 0.60, above=True) == "contradicted"  # "more than 60 %" needs more than 60 %
    assert bound_verdict(0.5, 1.0, above=False) == "confirmed"


def test_verdict_needs_a_known_verdict_and_evidence():
    with pytest.raises(ValueError, match="unknown verdict"):
        Verdict("true", "because")
    with pytest.raises(ValueError, match="evidence"):
        Verdict("confirmed", " ")


def test_verdict_table_refuses_gaps_and_strangers():
    claims = pd.DataFrame({"claim_id": ["A-01", "A-02", "B-01"], "seed_file": ["s"] * 3, "kind": ["numeric"] * 3,
                           "claim": ["x", "y", "z"], "chapter": ["launch", "launch", "timeline"]})
    ok = {"A-01": Verdict("confirmed", "e"), "A-02": Verdict("cannot settle", "f")}
    assert list(verdict_table(claims, "launch", ok)["verdict"]) == ["confirmed", "cannot settle"]
    with pytest.raises(ValueError, match=r"without a verdict \['A-02'\]"):
        verdict_table(claims, "launch", {"A-01": ok["A-01"]})
    with pytest.raises(ValueError, match=r"unknown claims \['B-01'\]"):
        verdict_table(claims, "launch", {**ok, "B-01": ok["A-01"]})


def test_register_assigns_claims_from_both_articles_to_every_chapter():
    claims = load_table("claims")
    assert set(claims["seed_file"]) == {"000_62ca2b9568484427.txt", "003_5ca8823ba8a588c4.txt"}
    assert set(claims["chapter"]) == {"launch", "distillation", "deployment", "elasticity", "timeline"}
    predictions = claims[claims["kind"] == "prediction"]
    assert predictions["window_end"].notna().all() and (predictions["window_start"] <= predictions["window_end"]).all()
