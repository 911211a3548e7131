"""The competitive timeline: resolving conflicting event dates, release dates by lab and tier, who led a tier
(on price or on quality) and for how long, Arena ranks by lab, and the scorecard of dated predictions.

Dates are pandas Timestamps; durations are whole days; prices are USD per million tokens.
"""

from __future__ import annotations

import re

import pandas as pd

from llmecon.prices import CONFIDENCE_RANK, blended_price, daily_cheapest_prices, maker_prices_on, pareto_frontier

TIERS = ("small", "mid", "flagship")


def event_stem(event_id: str) -> str:
    """The event a row reports: ``E018`` for both ``E018`` and its conflicting source ``E018b``."""
    match = re.fullmatch(r"(E[0-9]{3})[a-z]?", event_id)
    if match is None:
        raise ValueError(f"event id {event_id!r} is not of the form E000 or E000b")
    return match.group(1)


def resolve_conflicts(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per event where sources disagree (rows ``E018`` and ``E018b`` report the same event).

    The rule: keep the row of highest confidence; among equally confident rows, the source written latest
    (largest ``as_of``: it saw more of what happened); then the base id. Returns the events with one row per
    stem, and a table of every conflicting row with ``used`` marking the row kept.
    """
    ranked = events.assign(
        stem=events["event_id"].map(event_stem),
        _rank=events["confidence"].map(CONFIDENCE_RANK),
    ).sort_values(["stem", "_rank", "as_of", "event_id"], ascending=[True, True, False, True], kind="stable")
    kept_ids = set(ranked.drop_duplicates("stem")["event_id"])
    sizes = ranked.groupby("stem")["event_id"].transform("size")
    conflicts = ranked[sizes > 1].assign(used=lambda t: t["event_id"].isin(kept_ids))
    conflicts = conflicts[["stem", "event_id", "date", "model_id", "confidence", "as_of", "source_url", "used"]]
    kept = events[events["event_id"].isin(kept_ids)].sort_values(["date", "event_id"], kind="stable")
    return kept.reset_index(drop=True), conflicts.reset_index(drop=True)


def release_dates(events: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Each model's first public availability and the sourced row it comes from.

    The earlier of the model's first ``release`` event (``events`` should already be resolved) and its own
    ``release_date`` in the models table (a later event can be a new snapshot, not the first release).
    Columns: model_id, name, organisation, family, tier, open_weights, date, source.
    """
    released = events[(events["kind"] == "release") & events["model_id"].notna()]
    first = released.sort_values(["date", "event_id"], kind="stable").drop_duplicates("model_id")
    table = models[["model_id", "name", "organisation", "family", "tier", "open_weights", "release_date"]].merge(
        first[["model_id", "date", "event_id"]], on="model_id", how="left"
    )
    from_events = table["date"].notna() & (table["date"] <= table["release_date"])
    table["source"] = ("events.csv " + table["event_id"].astype("string")).where(from_events, "models.csv")
    table["date"] = table["date"].where(from_events, table["release_date"])
    return (table.drop(columns=["release_date", "event_id"])
            .sort_values(["date", "model_id"], kind="stable").reset_index(drop=True))


def first_release_by_tier(releases: pd.DataFrame) -> pd.DataFrame:
    """The date each lab first released a model of each tier: one row per lab, one column per tier (NaT if never)."""
    firsts = releases.groupby(["organisation", "tier"])["date"].min().unstack("tier")
    return firsts.reindex(columns=list(TIERS)).sort_index()


def first_tiered_family(releases: pd.DataFrame) -> pd.DataFrame:
    """Per lab, its first model family released in more than one tier, and the day it became tiered
    (the release of the family's second tier). Labs that never tiered a family are left out."""
    rows = []
    for (lab, family), group in releases.groupby(["organisation", "family"]):
        by_tier = group.groupby("tier")["date"].min().sort_values()
        if len(by_tier) > 1:
            rows.append({"organisation": lab, "family": family, "tiered_on": by_tier.iloc[1],
                         "tiers": ", ".join(by_tier.index)})
    table = pd.DataFrame(rows).sort_values(["tiered_on", "organisation"], kind="stable")
    return table.drop_duplicates("organisation").reset_index(drop=True)


def flagship_intervals(releases: pd.DataFrame) -> pd.DataFrame:
    """Days between one flagship release of a lab and its next (same-day releases count once)."""
    flagships = releases[releases["tier"] == "flagship"][["organisation", "date", "name"]]
    rows = []
    for lab, group in flagships.groupby("organisation"):
        days = group.groupby("date")["name"].agg(" + ".join).sort_index()
        for (start, before), (end, after) in zip(days.items(), list(days.items())[1:]):
            rows.append({"organisation": lab, "from_model": before, "to_model": after,
                         "from_date": start, "to_date": end, "days": (end - start).days})
    return pd.DataFrame(rows, columns=["organisation", "from_model", "to_model", "from_date", "to_date", "days"])


def leader_spells(candidates: pd.DataFrame, value: str, lower_is_better: bool, end: pd.Timestamp) -> pd.DataFrame:
    """Who led, from when to when: the best candidate on each day, merged into spells.

    ``candidates`` has one row per (``day``, candidate) with columns day, model_id, name, organisation and
    ``value``; a day's standings hold until the next day listed, and the last until ``end``. Ties go to the
    candidate that led before, else the first by model_id. Returns leader, organisation, start, end, days and
    ``value`` at the start of the spell.
    """
    days = sorted(candidates["day"].unique())
    spells: list[dict] = []
    for i, day in enumerate(days):
        standing = candidates[candidates["day"] == day].sort_values("model_id", kind="stable")
        best = standing[value].min() if lower_is_better else standing[value].max()
        at_best = standing[standing[value] == best]
        previous = spells[-1]["model_id"] if spells else None
        row = at_best[at_best["model_id"] == previous].iloc[0] if previous in set(at_best["model_id"]) else at_best.iloc[0]
        until = days[i + 1] if i + 1 < len(days) else end
        if spells and spells[-1]["model_id"] == row["model_id"]:
            spells[-1]["end"] = until
        else:
            spells.append({"model_id": row["model_id"], "leader": row["name"], "organisation": row["organisation"],
                           "start": pd.Timestamp(day), "end": pd.Timestamp(until), value: row[value]})
    table = pd.DataFrame(spells)
    table["days"] = (table["end"] - table["start"]).dt.days
    return table[["model_id", "leader", "organisation", "start", "end", "days", value]]


def tier_price_candidates(prices, models, tier: str, days, output_share: float) -> pd.DataFrame:
    """For each day, every model of ``tier`` sold by its maker, with its blended list price (USD per million tokens)."""
    live = daily_cheapest_prices(prices, models, days, makers_only=True)
    live = live[live["tier"] == tier]
    table = live.assign(day=live["date"], blended_usd_per_mtok=blended_price(
        live["input_usd_per_mtok"], live["output_usd_per_mtok"], output_share)).sort_values(["day", "model_id"], kind="stable")
    return table[["day", "model_id", "name", "organisation", "blended_usd_per_mtok"]].reset_index(drop=True)


def headline_scores(scores: pd.DataFrame, benchmark: str) -> pd.Series:
    """Each model's highest ``benchmark`` score as its maker reported it (the figure makers headline), by model_id.

    Settings (shots, chain of thought) differ between makers; the chapter says so where it uses these.
    """
    own = scores[(scores["benchmark"] == benchmark) & (scores["reported_by"] == "maker")]
    return own.groupby("model_id")["score"].max().astype(float)


def tier_quality_candidates(releases: pd.DataFrame, quality: pd.Series, tier: str) -> pd.DataFrame:
    """On each release day of a ``tier`` model with a score, every such model released by then, with its score."""
    scored = releases[(releases["tier"] == tier) & releases["model_id"].isin(quality.index)]
    frames = [scored[scored["date"] <= day].assign(day=day) for day in sorted(scored["date"].unique())]
    table = pd.concat(frames, ignore_index=True)
    table["score"] = table["model_id"].map(quality)
    return table[["day", "model_id", "name", "organisation", "score"]]


def arena_ranks(arena: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Each recorded model's rank in its Arena snapshot (1 = highest score; ties share the best rank).

    Ranks are among the models recorded in ``arena.csv`` for that snapshot, not the whole leaderboard; ranks,
    unlike raw scores, can be compared across snapshots whose score scales differ.
    """
    table = arena.merge(models[["model_id", "name", "organisation", "tier"]], on="model_id")
    table["rank"] = table.groupby("snapshot_date")["elo"].rank(method="min", ascending=False).astype(int)
    table["n_recorded"] = table.groupby("snapshot_date")["elo"].transform("size")
    return table.sort_values(["snapshot_date", "rank", "model_id"], kind="stable").reset_index(drop=True)


def best_rank_by_lab(ranks: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot and lab: the best rank of the lab's recorded models, and which model holds it."""
    best = ranks.sort_values(["snapshot_date", "organisation", "rank", "model_id"], kind="stable").drop_duplicates(
        ["snapshot_date", "organisation"])
    return best[["snapshot_date", "organisation", "rank", "name", "n_recorded"]].reset_index(drop=True)


def frontier_on(prices, models, quality: pd.Series, day, output_share: float) -> pd.DataFrame:
    """Models sold by their makers on ``day`` that have a quality score, with blended price and frontier flag."""
    live = maker_prices_on(prices, models, day)
    live = live[live["model_id"].isin(quality.index)].reset_index(drop=True)
    live["blended_usd_per_mtok"] = blended_price(live["input_usd_per_mtok"], live["output_usd_per_mtok"], output_share)
    live["score"] = live["model_id"].map(quality)
    live["on_frontier"] = pareto_frontier(live["blended_usd_per_mtok"], live["score"])
    live["day"] = pd.Timestamp(day)
    return live[["day", "model_id", "name", "organisation", "tier", "blended_usd_per_mtok", "score", "on_frontier"]]


def score_prediction(window_start, window_end, outcome, as_of, tolerance_days: int) -> tuple[str, int | None, str]:
    """Score a dated prediction against the date it came true (``outcome``, or None if it has not).

    Returns (status, days, verdict). ``days`` is how late (positive) or early (negative) the outcome was
    relative to the window, 0 inside it, None if it never happened. Inside the window: confirmed; outside by
    at most ``tolerance_days``: needs a caveat; further out, or not at all by ``as_of`` once the window has
    closed: contradicted; not yet, with the window still open on ``as_of``: cannot settle.
    """
    start, end, as_of = pd.Timestamp(window_start), pd.Timestamp(window_end), pd.Timestamp(as_of)
    if end < start:
        raise ValueError(f"window ends ({end.date()}) before it starts ({start.date()})")
    if outcome is None or pd.isna(outcome):
        if end >= as_of:
            return "not yet", None, "cannot settle"
        return f"not by {as_of.date()}", None, "contradicted"
    outcome = pd.Timestamp(outcome)
    if start <= outcome <= end:
        return "in the window", 0, "confirmed"
    days = (outcome - end).days if outcome > end else -(start - outcome).days
    status = "late" if days > 0 else "early"
    return status, days, "needs a caveat" if abs(days) <= tolerance_days else "contradicted"
