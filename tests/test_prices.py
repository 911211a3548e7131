"""Price arithmetic against hand-checked cases."""

import numpy as np
import pandas as pd
import pytest

from frames import price_rows
from llmecon.prices import (
    blended_price,
    capability_price_trends,
    cheapest_capable,
    cheapest_prices_on,
    daily_cheapest_prices,
    endpoint_decline,
    fit_annual_decline,
    frontier_points,
    maker_prices_on,
    pareto_frontier,
    price_change_days,
    prices_in_force,
    record_lows,
)


def test_blend_at_the_ends_and_at_three_to_one():
    assert blended_price(0.15, 0.60, 0.0) == 0.15
    assert blended_price(0.15, 0.60, 1.0) == 0.60
    assert blended_price(0.15, 0.60, 0.25) == pytest.approx(0.2625)  # (3 x 0.15 + 0.60) / 4


def test_blend_rejects_a_share_outside_zero_one():
    with pytest.raises(ValueError, match="output_share"):
        blended_price(1, 2, 1.5)


PRICES = price_rows(
    ("a", "Lab", "a-1", 5.0, 15.0, "2024-05-13", None, "high", "2024-05-13"),
    ("a", "Lab", "a-2", 2.5, 10.0, "2024-08-06", None, "high", "2024-08-06"),
    ("b", "Lab", "b", 0.35, 1.05, "2024-05-30", "2024-08-11", "high", "2024-07-01"),
    ("b", "Lab", "b", 0.075, 0.30, "2024-08-12", None, "high", "2024-08-12"),
    ("b", "Lab", "b", 0.35, 0.70, "2024-05-30", "2024-08-11", "low", "2024-07-01"),
    ("c", "Host", "c", 0.2, 0.2, "2024-04-18", None, "medium", "2024-06-01"),
)
MODELS = pd.DataFrame({"model_id": ["a", "b", "c"], "name": ["A", "B", "C"],
                       "organisation": ["Lab", "Lab", "Other"], "tier": ["flagship", "small", "small"]})


def test_in_force_respects_both_ends_of_a_period():
    assert list(prices_in_force(PRICES, "2024-08-05")["output_usd_per_mtok"]) == [15.0, 1.05, 0.2]
    assert list(prices_in_force(PRICES, "2024-08-11")["output_usd_per_mtok"]) == [15.0, 10.0, 1.05, 0.2]
    assert list(prices_in_force(PRICES, "2024-08-12")["output_usd_per_mtok"]) == [15.0, 10.0, 0.30, 0.2]


def test_in_force_prefers_the_more_confident_of_conflicting_rows():
    live = prices_in_force(PRICES, "2024-07-18")
    assert live.loc[live.model_id == "b", "output_usd_per_mtok"].tolist() == [1.05]


def test_maker_prices_take_the_cheapest_snapshot_and_skip_hosts():
    later = maker_prices_on(PRICES, MODELS, "2024-09-01").set_index("model_id")
    assert later.loc["a", "output_usd_per_mtok"] == 10.0
    assert "c" not in later.index  # sold by a host, not its maker
    assert list(maker_prices_on(PRICES, MODELS, "2024-07-18")["model_id"]) == ["b", "a"]


def test_price_change_days_are_the_starts_and_the_days_after_the_ends():
    days = price_change_days(PRICES, pd.Timestamp("2024-07-18"), pd.Timestamp("2024-12-31"))
    assert [d.date().isoformat() for d in days] == ["2024-07-18", "2024-08-06", "2024-08-12", "2024-12-31"]


def test_pareto_frontier_keeps_only_undominated_points():
    price = pd.Series([0.1, 0.2, 0.3, 0.25, 1.0, 0.2], index=list("abcdef"))
    score = pd.Series([60, 70, 65, 80, 80, 70], index=list("abcdef"))
    # c is beaten by b (cheaper, better); e by d (cheaper, as good); b and f tie, both stay.
    assert pareto_frontier(price, score).to_dict() == {
        "a": True, "b": True, "c": False, "d": True, "e": False, "f": True}


def test_pareto_frontier_refuses_missing_scores():
    with pytest.raises(ValueError, match="score for every point"):
        pareto_frontier(pd.Series([1.0, 2.0]), pd.Series([50.0, None]))


def test_cheapest_prices_on_counts_hosts_unless_makers_only():
    on = "2024-09-01"
    assert set(cheapest_prices_on(PRICES, MODELS, on)["model_id"]) == {"a", "b", "c"}
    assert set(cheapest_prices_on(PRICES, MODELS, on, makers_only=True)["model_id"]) == {"a", "b"}


def test_daily_prices_keep_each_days_own_rows_in_the_order_of_the_days():
    # Out of order and repeated: each day is resolved on its own (b's confident $1.05 on 2024-08-05, its $0.30 cut
    # on 2024-08-12; a's cheaper snapshot only from 2024-08-06), and the host's model c is no maker's price.
    days = ["2024-08-12", "2024-08-05", "2024-08-12"]
    daily = daily_cheapest_prices(PRICES, MODELS, days, makers_only=True)
    assert [(d.date().isoformat(), m, o) for d, m, o in zip(daily["date"], daily["model_id"], daily["output_usd_per_mtok"])] == [
        ("2024-08-12", "b", 0.30), ("2024-08-12", "a", 10.0),
        ("2024-08-05", "b", 1.05), ("2024-08-05", "a", 15.0),
        ("2024-08-12", "b", 0.30), ("2024-08-12", "a", 10.0),
    ]
    assert list(daily.columns) == [*PRICES.columns, "name", "organisation", "tier", "date"]


def test_cheapest_capable_picks_the_cheapest_model_above_the_threshold():
    scores = pd.Series({"a": 88.0, "b": 79.0, "c": 70.0})
    days = [pd.Timestamp("2024-07-01"), pd.Timestamp("2024-09-01")]
    daily = daily_cheapest_prices(PRICES, MODELS, days)
    series = cheapest_capable(daily, scores, 75, output_share=0.5)
    # July: b at (0.35 + 1.05) / 2 = 0.70; September: b after its cut at (0.075 + 0.30) / 2 = 0.1875.
    assert list(series["model_id"]) == ["b", "b"]
    assert series["blended_usd_per_mtok"].tolist() == pytest.approx([0.70, 0.1875])
    assert cheapest_capable(daily, scores, 95, 0.5).empty


def test_record_lows_keep_only_new_lows():
    series = pd.DataFrame({"blended_usd_per_mtok": [10.0, 10.0, 5.0, 7.0, 5.0, 1.0]})
    assert record_lows(series).index.tolist() == [0, 2, 5]


def test_decline_fit_recovers_a_tenfold_fall_per_year():
    dates = pd.Series(pd.to_datetime(["2022-01-01", "2023-01-01", "2024-01-01", "2025-01-01"]))
    exact = fit_annual_decline(dates, [100.0, 10.0, 1.0, 0.1])
    assert exact.annual_factor == pytest.approx(10, rel=0.01)  # calendar years are 365 or 366 days
    assert exact.fitted_usd(dates) == pytest.approx([100.0, 10.0, 1.0, 0.1], rel=0.01)
    noisy = fit_annual_decline(dates, [100.0, 20.0, 1.0, 0.1])
    assert noisy.low < noisy.annual_factor < noisy.high
    with pytest.raises(ValueError, match="at least 3 points"):
        fit_annual_decline(dates[:2], [1.0, 0.1])


def test_endpoint_decline():
    assert endpoint_decline("2021-11-01", 60.0, "2024-11-01", 0.06) == pytest.approx(10, rel=0.01)


def test_frontier_points_mark_the_frontier():
    scores = pd.Series({"a": 88.0, "b": 79.0, "c": 70.0})
    points = frontier_points(PRICES, MODELS, scores, "2024-09-01", output_share=0.5)
    # c (host, 0.20) and b (0.1875) and a (6.25): b is cheaper and better than c, so c is off the frontier.
    assert points.set_index("model_id")["on_frontier"].to_dict() == {"b": True, "c": False, "a": True}
    assert points["blended_usd_per_mtok"].is_monotonic_increasing


def test_capability_price_trends_fit_each_threshold():
    prices = price_rows(
        ("a", "Lab", "a", 100.0, 100.0, "2022-01-01", None, "high", "2022-01-01"),
        ("b", "Lab", "b", 10.0, 10.0, "2023-01-01", None, "high", "2023-01-01"),
        ("c", "Other", "c", 1.0, 1.0, "2024-01-01", None, "high", "2024-01-01"),
    )
    models = pd.DataFrame({"model_id": ["a", "b", "c"], "name": ["A", "B", "C"],
                           "organisation": ["Lab", "Lab", "Other"], "tier": ["flagship", "small", "small"]})
    scores = pd.Series({"a": 90.0, "b": 85.0, "c": 80.0})
    days = price_change_days(prices, pd.Timestamp("2022-01-01"), pd.Timestamp("2024-06-01"))
    daily = daily_cheapest_prices(prices, models, days)
    series, fits = capability_price_trends(daily, scores, [80], output_share=0.25)
    assert series["record_low"].sum() == 3
    assert fits.loc[0, "fitted_factor"] == pytest.approx(10, rel=0.01)
    assert fits.loc[0, "fitted_start_usd"] == pytest.approx(100, rel=0.01)
    # From 2022-01-01 at $100 to 2024-06-01 at $1: 100x in 2.41 years.
    assert fits.loc[0, "endpoint_factor"] == pytest.approx(100 ** (1 / (882 / 365.25)))
    with pytest.raises(ValueError, match="reaches a score of 95"):
        capability_price_trends(daily, scores, [95], 0.25)


def test_decline_interval_matches_the_textbook_t_interval():
    # Four points 1461 days (exactly 4 years) apart: x = 0, 4, 8, 12 years; y = log10 price = 2, 1.3, 0, -1.
    dates = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta([0, 1461, 2922, 4383], unit="D"))
    fit = fit_annual_decline(dates, [100.0, 10 ** 1.3, 1.0, 0.1], confidence=0.9)
    # By hand: Sxx = 80, Sxy = -20.6, slope = -0.2575; residuals -0.12, 0.21, -0.06, -0.03 (RSS 0.063);
    # slope s.e. = sqrt(0.063 / 2 / 80) = 0.019843; t(0.95, 2 df) = 2.919986; half-width 0.05794.
    assert np.log10(fit.annual_factor) == pytest.approx(0.2575, abs=1e-4)
    assert np.log10(fit.high) - np.log10(fit.annual_factor) == pytest.approx(0.05794, abs=1e-4)
    assert np.log10(fit.annual_factor) - np.log10(fit.low) == pytest.approx(0.05794, abs=1e-4)
