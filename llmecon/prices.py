"""Price arithmetic. All prices are USD per million tokens."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2, "unverified": 3}


def blended_price(input_usd_per_mtok, output_usd_per_mtok, output_share: float):
    """USD per million tokens of a workload whose tokens are ``output_share`` output and the rest input.

    ``output_share`` = 0.25 is the common 3:1 input:output blend. Works on scalars and Series.
    """
    if not 0 <= output_share <= 1:
        raise ValueError(f"output_share must lie in [0, 1], got {output_share}")
    return (1 - output_share) * input_usd_per_mtok + output_share * output_usd_per_mtok


def prices_in_force_daily(prices: pd.DataFrame, days) -> pd.DataFrame:
    """For each of ``days``, the price rows in force that day (see :func:`prices_in_force`), stacked in the order
    of ``days`` with a ``date`` column first; within a day, rows keep their order in ``prices``.

    One pass over all days at once (a cross join), not one filter per day.
    """
    days = pd.DataFrame({"date": [pd.Timestamp(day) for day in days]})
    days["_day"] = np.arange(len(days))
    rows = prices.assign(_row=np.arange(len(prices)), _label=prices.index,
                         _rank=prices["confidence"].map(CONFIDENCE_RANK))
    pairs = days.merge(rows, how="cross")
    live = pairs[(pairs["effective_from"] <= pairs["date"])
                 & (pairs["effective_to"].isna() | (pairs["effective_to"] >= pairs["date"]))]
    kept = live.sort_values(["_day", "_rank", "as_of", "_row"], ascending=[True, True, False, True]).drop_duplicates(
        ["_day", "model_id", "seller", "api_name"])
    kept = kept.sort_values(["_day", "_label"], kind="stable").set_index("_label").rename_axis(prices.index.name)
    return kept[["date", *prices.columns, "_day"]]


def prices_in_force(prices: pd.DataFrame, on: str | pd.Timestamp) -> pd.DataFrame:
    """The price rows in force on date ``on``: ``effective_from <= on`` and ``effective_to`` blank or ``>= on``.

    Where sources conflict for the same model, seller and API name, keeps the row of highest confidence
    (then the most recent ``as_of``), so every kept row is one that a reader can trace in ``prices.csv``.
    """
    return prices_in_force_daily(prices, [on]).drop(columns=["date", "_day"])


def daily_cheapest_prices(prices: pd.DataFrame, models: pd.DataFrame, days, makers_only: bool = False) -> pd.DataFrame:
    """:func:`cheapest_prices_on` for each of ``days``, stacked in the order of ``days``, with a ``date`` column."""
    live = prices_in_force_daily(prices, days).merge(models[["model_id", "name", "organisation", "tier"]], on="model_id")
    if makers_only:
        live = live[live["seller"] == live["organisation"]]
    cheapest = live.sort_values(["_day", "output_usd_per_mtok", "input_usd_per_mtok"], kind="stable").drop_duplicates(
        ["_day", "model_id"])
    columns = [c for c in cheapest.columns if c not in ("date", "_day")] + ["date"]
    return cheapest[columns].reset_index(drop=True)


def cheapest_prices_on(prices: pd.DataFrame, models: pd.DataFrame, on: str | pd.Timestamp,
                       makers_only: bool = False) -> pd.DataFrame:
    """For each model, its cheapest list price in force on ``on`` (by output price, then input price).

    With ``makers_only`` only the model's own maker counts as a seller; otherwise hosts of open-weight models
    count too. Returns one row per model with the model's name, organisation and tier joined in.
    """
    return daily_cheapest_prices(prices, models, [on], makers_only).drop(columns="date")


def maker_prices_on(prices: pd.DataFrame, models: pd.DataFrame, on: str | pd.Timestamp) -> pd.DataFrame:
    """For each model its maker sells, the maker's cheapest list price in force on ``on`` (by output price)."""
    return cheapest_prices_on(prices, models, on, makers_only=True)


def price_change_days(prices: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> list[pd.Timestamp]:
    """``start``, ``end`` and every day between them on which some price starts or stops applying.

    Prices are constant between these days, so evaluating a price series on them loses nothing.
    """
    changes = pd.concat([prices["effective_from"], prices["effective_to"].dropna() + pd.Timedelta(days=1)])
    return sorted({start, end, *changes[(changes > start) & (changes <= end)]})


def pareto_frontier(price, quality) -> pd.Series:
    """True for the points no other point beats: none is at most as dear and at least as good, and better on one.

    ``price`` in USD per million tokens (lower is better), ``quality`` a benchmark score (higher is better),
    aligned Series. Ties (the same price and score) are all on the frontier.
    """
    price, quality = pd.Series(price), pd.Series(quality)
    if not price.index.equals(quality.index):
        raise ValueError("price and quality must share one index")
    if price.isna().any() or quality.isna().any():
        raise ValueError("pareto_frontier needs a price and a score for every point")
    on_frontier = [
        not ((price <= p) & (quality >= q) & ((price < p) | (quality > q))).any()
        for p, q in zip(price, quality)
    ]
    return pd.Series(on_frontier, index=price.index, name="on_frontier")


def best_reported_scores(benchmarks: pd.DataFrame, benchmark: str) -> pd.Series:
    """Each model's highest score on ``benchmark`` as reported by its own maker (percent), any setting.

    Makers report under different shots and prompts; taking each model's best is the reading most favourable
    to every model alike.
    """
    own = benchmarks[(benchmarks["benchmark"] == benchmark) & (benchmarks["reported_by"] == "maker")]
    return own.groupby("model_id")["score"].max().rename(benchmark)


def cheapest_capable(daily: pd.DataFrame, scores: pd.Series, threshold: float, output_share: float) -> pd.DataFrame:
    """On each day of ``daily`` (from :func:`daily_cheapest_prices`), the cheapest model whose score is at least
    ``threshold``.

    Returns one row per day on which some such model was sold: date, model_id, name, seller and its blended
    price in USD per million tokens.
    """
    capable = daily[daily["model_id"].isin(scores[scores >= threshold].index)].copy()
    capable["blended_usd_per_mtok"] = blended_price(capable["input_usd_per_mtok"], capable["output_usd_per_mtok"],
                                                    output_share).astype(float)
    best = capable.loc[capable.groupby("date")["blended_usd_per_mtok"].idxmin()]
    columns = ["date", "model_id", "name", "seller", "blended_usd_per_mtok"]
    return best[columns].sort_values("date").reset_index(drop=True)


def record_lows(series: pd.DataFrame) -> pd.DataFrame:
    """The rows of a price series (sorted by date) on which the price falls below every earlier price."""
    price = series["blended_usd_per_mtok"]
    return series[price < price.cummin().shift(fill_value=np.inf)]


@dataclass(frozen=True)
class DeclineFit:
    """An annual decline factor (times per year; 10 means prices fall tenfold a year) with its interval."""

    annual_factor: float
    low: float
    high: float
    n_points: int
    confidence: float
    log10_usd_at_origin: float  # fitted log10 price on FIT_ORIGIN

    def fitted_usd(self, dates) -> np.ndarray:
        """The fitted trend's price (USD per million tokens) on each of ``dates``."""
        years = _years_since_origin(dates)
        return 10 ** (self.log10_usd_at_origin - np.log10(self.annual_factor) * years)


FIT_ORIGIN = pd.Timestamp("2020-01-01")


def _years_since_origin(dates) -> np.ndarray:
    return (pd.to_datetime(pd.Series(dates)) - FIT_ORIGIN).dt.days.to_numpy() / 365.25


def fit_annual_decline(dates: pd.Series, usd: pd.Series, confidence: float = 0.9) -> DeclineFit:
    """Least-squares fit of log10(price) on time in years; the decline factor is 10 to minus the slope.

    The interval is the t-interval of the slope at ``confidence`` (two-sided), so it needs three points or more.
    """
    from scipy.special import stdtrit  # Student's t quantile; scipy.special loads in half the time of scipy.stats

    years = _years_since_origin(dates)
    logs = np.log10(np.asarray(usd, dtype=float))
    if len(logs) < 3:
        raise ValueError(f"a decline rate with an interval needs at least 3 points, got {len(logs)}")
    slope, intercept = np.polyfit(years, logs, 1)
    residuals = logs - (intercept + slope * years)
    stderr = np.sqrt(residuals @ residuals / (len(logs) - 2) / ((years - years.mean()) ** 2).sum())
    half = stdtrit(len(logs) - 2, 0.5 + confidence / 2) * stderr
    return DeclineFit(10 ** -slope, 10 ** -(slope + half), 10 ** -(slope - half), len(logs), confidence, intercept)


def endpoint_decline(first_date, first_usd: float, last_date, last_usd: float) -> float:
    """Annual decline factor implied by two prices: (first / last) ** (1 / years between them)."""
    years = (pd.Timestamp(last_date) - pd.Timestamp(first_date)).days / 365.25
    if years <= 0:
        raise ValueError("the last date must come after the first")
    return (first_usd / last_usd) ** (1 / years)


def frontier_points(prices: pd.DataFrame, models: pd.DataFrame, scores: pd.Series, on: str | pd.Timestamp,
                    output_share: float) -> pd.DataFrame:
    """Every model sold on ``on`` (cheapest seller) that has a score: its blended price (USD per million tokens),
    its score, and whether it is on the quality-price Pareto frontier. Sorted by price."""
    live = cheapest_prices_on(prices, models, on).merge(scores.rename("score"), left_on="model_id", right_index=True)
    live["blended_usd_per_mtok"] = blended_price(live["input_usd_per_mtok"], live["output_usd_per_mtok"], output_share)
    live["on_frontier"] = pareto_frontier(live["blended_usd_per_mtok"], live["score"]).to_numpy()
    columns = ["model_id", "name", "organisation", "tier", "seller", "blended_usd_per_mtok", "score", "on_frontier"]
    return live[columns].sort_values(["blended_usd_per_mtok", "score"], ascending=[True, False]).reset_index(drop=True)


def capability_price_trends(daily: pd.DataFrame, scores: pd.Series, thresholds: list[float], output_share: float,
                            confidence: float = 0.9) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For each score threshold, the cheapest capable model on each day of ``daily`` (from
    :func:`daily_cheapest_prices`), and the decline fitted to its record lows.

    Returns ``series`` (threshold, date, model, seller, blended USD per million tokens, record_low) and ``fits``
    (one row per threshold: first and last record low, the fitted trend's price at both, the annual factor with its
    interval, and the first-to-last-price annual factor).
    """
    series, fits = [], []
    for threshold in thresholds:
        line = cheapest_capable(daily, scores, threshold, output_share)
        if line.empty:
            raise ValueError(f"no model in the data reaches a score of {threshold}")
        lows = record_lows(line)
        fit = fit_annual_decline(lows["date"], lows["blended_usd_per_mtok"], confidence)
        ends = [lows["date"].iloc[0], lows["date"].iloc[-1]]
        fitted = fit.fitted_usd(ends)
        price = line["blended_usd_per_mtok"]
        series.append(line.assign(threshold=threshold, record_low=line.index.isin(lows.index)))
        fits.append({"threshold": threshold, "start": ends[0], "end": ends[1],
                     "fitted_start_usd": fitted[0], "fitted_end_usd": fitted[1], "record_lows": fit.n_points,
                     "fitted_factor": fit.annual_factor, "low": fit.low, "high": fit.high,
                     "endpoint_factor": endpoint_decline(line["date"].iloc[0], price.iloc[0], line["date"].iloc[-1], price.iloc[-1])})
    return pd.concat(series, ignore_index=True), pd.DataFrame(fits)
