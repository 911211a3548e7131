"""Demand models for the price-elasticity chapter: constant-elasticity revenue and profit arithmetic, and a
multinomial logit choice among API offers and self-hosting, whose limit is the cheapest adequate option; the
small-tier market it is applied to (choice sets read from the price table, simulated users, self-hosting bills, the
calibration of the hassle of open weights, and the shocks and price changes the chapter asks about).

Units: prices and costs in USD per million tokens (USD/Mtok); volumes in tokens per month; quality in MMLU
points; ``beta`` (the logit's price sensitivity) in 1 / (USD/Mtok). Elasticities are dimensionless; a demand
elasticity is negative when demand falls as the price rises. Arrays follow one layout: options on the last axis,
users on the axis before it, and any leading axes (Monte Carlo draws) broadcast.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scipy.special import ndtri  # the standard-normal quantile

from llmecon import deploy
from llmecon.prices import blended_price

# ---------------------------------------------------------------------------------------------------------------
# Constant-elasticity demand, Q = A p^(-e)
# ---------------------------------------------------------------------------------------------------------------


def quantity_ratio(price_ratio, elasticity):
    """Tokens sold after a price change over tokens sold before, for a price ratio ``p1 / p0`` and a constant
    elasticity ``e`` (a positive number: demand is ``A p^-e``)."""
    return np.asarray(price_ratio, dtype=float) ** -np.asarray(elasticity, dtype=float)


def revenue_ratio(price_ratio, elasticity):
    """Revenue after over revenue before: ``r^(1 - e)`` for a price ratio ``r`` under constant elasticity ``e``."""
    return np.asarray(price_ratio, dtype=float) * quantity_ratio(price_ratio, elasticity)


def profit_ratio(old_price, old_cost, new_price, new_cost, elasticity):
    """Gross profit after over before when a product sold at ``old_price`` (costing ``old_cost`` to serve) is
    replaced by one at ``new_price`` (costing ``new_cost``), demand having constant elasticity ``e`` in the price:
    ``(p1 - c1) / (p0 - c0) * (p1 / p0)^(-e)``. All in USD/Mtok; arrays broadcast."""
    old_price, old_cost, new_price, new_cost = (np.asarray(x, dtype=float) for x in (old_price, old_cost, new_price, new_cost))
    return (new_price - new_cost) / (old_price - old_cost) * quantity_ratio(new_price / old_price, elasticity)


def profit_neutral_elasticity(old_price, old_cost, new_price, new_cost):
    """The constant elasticity at which the switch of :func:`profit_ratio` leaves gross profit unchanged:
    ``ln((p0 - c0) / (p1 - c1)) / ln(p0 / p1)``. With no costs it is 1, the revenue-neutral elasticity, whatever
    the size of the cut. ``inf`` where the new price does not cover its cost (no elasticity restores the profit);
    ``nan`` where the old product made no profit (any profitable replacement raises it). Arrays broadcast."""
    old_price, old_cost, new_price, new_cost = (np.asarray(x, dtype=float) for x in (old_price, old_cost, new_price, new_cost))
    if np.any(new_price == old_price):
        raise ValueError("a profit-neutral elasticity needs a price change")
    old_margin, new_margin = old_price - old_cost, new_price - new_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.log(old_margin / new_margin) / np.log(old_price / new_price)
    value = np.where(new_margin <= 0, np.inf, value)
    value = np.where(old_margin <= 0, np.nan, value)
    return value.item() if value.ndim == 0 else value


# ---------------------------------------------------------------------------------------------------------------
# Discrete choice: multinomial logit with an outside option, and its cheapest-adequate limit
# ---------------------------------------------------------------------------------------------------------------


def generalised_cost(price, quality, need, shortfall_usd_per_point, premium=0.0):
    """What a user weighs for each option, in USD/Mtok: its price (or effective self-hosting cost), plus
    ``shortfall_usd_per_point`` for every MMLU point by which its ``quality`` falls short of the user's ``need``,
    minus any non-price ``premium`` the user puts on it (negative for a drawback, such as running it oneself)."""
    shortfall = np.maximum(np.asarray(need, dtype=float) - np.asarray(quality, dtype=float), 0.0)
    return np.asarray(price, dtype=float) + np.asarray(shortfall_usd_per_point, dtype=float) * shortfall - np.asarray(premium, dtype=float)


def choice_shares(cost, value, beta):
    """Each user's probability of choosing each option (last axis) when the utility of option ``j`` is
    ``beta * (value - cost_j) + e_j`` with ``e_j`` i.i.d. Gumbel, and doing without (the outside option) has
    utility ``e_0``. ``cost``: generalised costs (USD/Mtok), ``value``: what a million tokens is worth to the user
    (USD/Mtok, on the users' axis with a trailing 1), ``beta``: sensitivity in 1/(USD/Mtok); the shares of the
    options sum to one minus the outside option's.

    With ``beta = inf`` this is the limit of a user who takes the option of lowest generalised cost if it is below
    ``value`` (ties shared equally): with a large shortfall cost, the cheapest adequate option.
    """
    cost = np.asarray(cost, dtype=float)
    value = np.asarray(value, dtype=float)
    beta = np.asarray(beta, dtype=float)
    if np.any(beta <= 0):
        raise ValueError("beta must be positive")
    if np.all(np.isinf(beta)):
        surplus = value - cost
        best = surplus.max(axis=-1, keepdims=True)
        chosen = (surplus == best) & (best > 0)
        return chosen / np.maximum(chosen.sum(axis=-1, keepdims=True), 1)
    weights = value - cost  # becomes the utilities, then their exponentials, in place (the arrays are large)
    weights *= beta
    top = np.maximum(_max_over_options(weights), 0.0)  # the outside option's utility is 0
    weights -= top
    np.exp(weights, out=weights)
    total = weights.sum(axis=-1, keepdims=True)
    total += np.exp(-top)
    weights /= total
    return weights


def _max_over_options(array: np.ndarray) -> np.ndarray:
    """``array.max(axis=-1, keepdims=True)``, taken one option (column) at a time: the same values, several times
    faster, since NumPy reduces a short last axis row by row."""
    top = array[..., 0].copy()
    for j in range(1, array.shape[-1]):
        np.maximum(top, array[..., j], out=top)
    return top[..., None]


def volume_shares(shares, volumes):
    """Share of all potential tokens (the users' monthly ``volumes``, users' axis with a trailing 1) that each
    option serves; one minus their sum is the share of tokens not bought at all."""
    volumes = np.broadcast_to(np.asarray(volumes, dtype=float), np.shape(shares)[:-1] + (1,))
    return (shares * volumes).sum(axis=-2) / volumes.sum(axis=-2)


def demand_elasticity(shares, volumes, beta, option, cost_change):
    """Elasticity of the tokens bought from ``option`` (an index on the last axis) with respect to a variable
    ``x`` that moves generalised costs by ``cost_change = d cost / d ln x`` (USD/Mtok, same shape as ``shares``).

    From the logit's derivative ``d s_j / d c_k = beta s_j (s_k - [j = k])`` summed over users weighted by their
    volumes. For one user and a change in option ``j``'s own price ``p_j`` this is ``-beta p_j (1 - s_j)``; in
    another option ``k``'s price, ``beta p_k s_k``.
    """
    shares = np.asarray(shares, dtype=float)
    cost_change = np.broadcast_to(np.asarray(cost_change, dtype=float), shares.shape)
    per_user = shares.shape[:-1] + (1,)
    volumes = np.broadcast_to(np.asarray(volumes, dtype=float), per_user)[..., 0]
    beta = np.broadcast_to(np.asarray(beta, dtype=float), per_user)[..., 0]
    own = shares[..., option]
    moved = (shares * cost_change).sum(axis=-1) - cost_change[..., option]
    weighted = volumes * own
    return (beta * weighted * moved).sum(axis=-1) / weighted.sum(axis=-1)


def bisect(function: Callable[[np.ndarray], np.ndarray], low, high, iterations: int = 30) -> np.ndarray:
    """Roots of a function that is decreasing in its argument, one per element, by bisection between ``low`` and
    ``high`` (arrays broadcast). Where there is no sign change the nearer end is returned."""
    low, high = np.broadcast_arrays(np.asarray(low, dtype=float), np.asarray(high, dtype=float))
    low, high = low.copy(), high.copy()
    for _ in range(iterations):
        middle = (low + high) / 2
        above = function(middle) > 0  # root lies above middle
        low = np.where(above, middle, low)
        high = np.where(above, high, middle)
    return (low + high) / 2


# ---------------------------------------------------------------------------------------------------------------
# Populations and Monte Carlo draws
# ---------------------------------------------------------------------------------------------------------------


def uniform_draws(rng: np.random.Generator, ranges: Mapping[str, tuple[float, float]], n: int) -> dict[str, np.ndarray]:
    """``n`` draws of each named assumption, uniform over its (low, high) range and stratified (a Latin hypercube:
    each of ``n`` equal slices of every range is drawn exactly once, the slices paired at random), in sorted name
    order so that adding a range elsewhere in a mapping does not reshuffle the others. Stratifying keeps the
    percentiles of a few hundred draws steady."""
    draws = {}
    for name in sorted(ranges):
        low, high = ranges[name]
        if high < low:
            raise ValueError(f"range of {name!r} is reversed: ({low}, {high})")
        slices = (rng.permutation(n) + rng.uniform(size=n)) / n
        draws[name] = float(low) + (float(high) - float(low)) * slices
    return draws


def stratified_normal(rng: np.random.Generator, shape) -> np.ndarray:
    """Standard-normal scores at the midpoints of equal-probability slices, in random order along the last axis
    of ``shape``: a population of users whose tails are represented however few users there are."""
    n = shape[-1] if isinstance(shape, tuple) else shape
    order = rng.permuted(np.broadcast_to(np.arange(n), shape), axis=-1)
    return ndtri((order + 0.5) / n)


def lognormal_users(z, median, log10_spread):
    """Values of a log-normal population from standard-normal scores ``z``: ``median * 10^(log10_spread * z)``.

    Keeping ``z`` fixed across Monte Carlo draws (common random numbers) makes a change in an assumption, not
    fresh noise, move the results."""
    return np.asarray(median, dtype=float) * 10.0 ** (np.asarray(log10_spread, dtype=float) * np.asarray(z, dtype=float))


def effective_usd_per_mtok(volumes, api_price, self_usd_per_mtok, replica_usd, fixed_usd_per_month):
    """What a million tokens costs each user on each option (USD/Mtok): the API price where ``api_price`` is
    finite, else the monthly self-hosting bill of :func:`llmecon.deploy.self_hosted_usd_per_month` (at least one
    replica always on, plus the fixed cost) over the user's monthly ``volumes``. Arrays broadcast."""
    volumes = np.asarray(volumes, dtype=float)
    bill = deploy.self_hosted_usd_per_month(volumes, self_usd_per_mtok, replica_usd, fixed_usd_per_month)
    return np.where(np.isfinite(api_price), api_price, bill / volumes * 1e6)


def profit_ratio_band(old_price, old_cost, new_price, new_cost, elasticities, qs=(10, 50, 90)) -> np.ndarray:
    """The ``qs`` percentiles over cost draws of :func:`profit_ratio` at each of ``elasticities``: prices in USD/Mtok
    (scalars), ``old_cost`` and ``new_cost`` one value per draw (USD/Mtok). Draws in which the old product did not
    cover its cost are left out, since their ratio has no meaning. Returns an array (percentile, elasticity)."""
    old_cost = np.asarray(old_cost, dtype=float)[:, None]
    new_cost = np.asarray(new_cost, dtype=float)[:, None]
    profit = profit_ratio(old_price, old_cost, new_price, new_cost, np.asarray(elasticities, dtype=float))
    return deploy.percentiles(np.where(old_price > old_cost, profit, np.nan), qs)


# ---------------------------------------------------------------------------------------------------------------
# The small-tier market: choice sets read from the price table, self-hosting bills, users, calibration, shocks
# ---------------------------------------------------------------------------------------------------------------

SELF_HOSTED = "self-hosted open"  # the kind of an option users run themselves; the others: "closed API", "hosted open"
OPTION_COLUMNS = ["option", "model_id", "organisation", "seller", "kind", "blended", "mmlu"]


def _with_blended(offers: pd.DataFrame, output_share: float) -> pd.DataFrame:
    return offers.assign(blended=blended_price(offers["input_usd_per_mtok"], offers["output_usd_per_mtok"],
                                               output_share).astype(float))


def small_tier_choice_set(offers: pd.DataFrame, models: pd.DataFrame, mmlu: pd.Series, self_hosted: Sequence[str],
                          max_usd: float, output_share: float, predecessors: Mapping[str, str] | None = None,
                          successor_gain: float = 0.0, extra: Collection[str] = (), gpu_name: str = "H100") -> pd.DataFrame:
    """The options users choose among on one day.

    First every API offer in ``offers`` (each model's cheapest seller that day, as from
    :func:`llmecon.prices.cheapest_prices_on` or one day of :func:`llmecon.prices.daily_cheapest_prices`) whose
    blended price (``output_share`` of output tokens) is below ``max_usd`` USD/Mtok, or whose model is in ``extra``,
    and that has an MMLU score: its maker's best in ``mmlu`` or, for a model in ``predecessors`` (model -> earlier
    model) without one, its predecessor's plus ``successor_gain`` points. Then the ``self_hosted`` open models, run by
    the user on ``gpu_name`` GPUs, with no price (what they cost depends on the user's volume).

    Columns: option (the model's name), model_id, organisation, seller, kind ("closed API", "hosted open" or
    "self-hosted open"), blended (USD/Mtok; NaN when self-hosted), mmlu (points). Rows keep the order of ``offers``.
    """
    if "date" in offers and offers["date"].nunique() > 1:
        raise ValueError("a choice set is of one day: select one date of the daily offers")
    card = models.set_index("model_id")
    live = _with_blended(offers, output_share).merge(mmlu.rename("mmlu"), left_on="model_id", right_index=True, how="left")
    live["mmlu"] = live["mmlu"].fillna(live["model_id"].map(dict(predecessors or {})).map(mmlu) + successor_gain)
    api = live[((live["blended"] < max_usd) | live["model_id"].isin(list(extra))) & live["mmlu"].notna()]
    api = api.assign(kind=np.where(api["model_id"].map(card["open_weights"]), "hosted open", "closed API"))
    own = pd.DataFrame({"model_id": list(self_hosted), "seller": f"self-hosted ({gpu_name})", "blended": np.nan, "kind": SELF_HOSTED})
    own["mmlu"], own["organisation"] = own["model_id"].map(mmlu), own["model_id"].map(card["organisation"])
    table = pd.concat([api, own], ignore_index=True)
    table["option"] = table["model_id"].map(card["name"]) + np.where(table["kind"] == SELF_HOSTED, " (self-hosted)", "")
    return table[OPTION_COLUMNS].reset_index(drop=True)


def with_moves(options: pd.DataFrame, moves: Iterable[tuple[pd.DataFrame, Collection[str]]]) -> pd.DataFrame:
    """The choice set ``options`` after some API offers moved. ``moves`` pairs a choice set of the day of a move
    (:func:`small_tier_choice_set`) with the models that moved that day: their API offers replace any option of the
    same model and go to the end of the table, in the order of ``moves``; self-hosted options stay."""
    movers = pd.concat([chosen[chosen["model_id"].isin(list(ids)) & (chosen["kind"] != SELF_HOSTED)] for chosen, ids in moves])
    kept = options[~options["model_id"].isin(movers["model_id"]) | (options["kind"] == SELF_HOSTED)]
    return pd.concat([kept, movers], ignore_index=True)


def cheapest_by_level(offers: pd.DataFrame, mmlu: pd.Series, levels: Iterable[float], output_share: float) -> pd.DataFrame:
    """For each day of ``offers`` (from :func:`llmecon.prices.daily_cheapest_prices`) and each MMLU level of
    ``levels``, the cheapest offer (blended price, ``output_share`` of output tokens, USD/Mtok) of a model whose score
    in ``mmlu`` is at least the level; of equally cheap offers, the first in ``offers``. Columns: date, level,
    model_id, name, seller, blended; sorted by date and level. A day on which no model reaches a level has no row."""
    live = _with_blended(offers, output_share).merge(mmlu.rename("mmlu"), left_on="model_id", right_index=True)
    pairs = live.merge(pd.DataFrame({"level": list(levels)}, dtype=float), how="cross")
    capable = pairs[pairs["mmlu"] >= pairs["level"]]
    best = capable.loc[capable.groupby(["date", "level"])["blended"].idxmin()]
    return best[["date", "level", "model_id", "name", "seller", "blended"]].reset_index(drop=True)


@dataclass(frozen=True)
class SelfHosting:
    """How the open models a user can run are costed: for each model id, its fitted token times
    (:class:`llmecon.deploy.TokenTimes`) and the GPUs of one replica; and the request shape, ``input_tokens`` and
    ``output_tokens`` per request."""

    stand_ins: Mapping[str, tuple[deploy.TokenTimes, int]]
    input_tokens: int
    output_tokens: int

    def usd_per_mtok(self, model_id: str, usd_per_gpu_hour, utilisation):
        """USD/Mtok to serve ``model_id`` on GPUs rented at ``usd_per_gpu_hour`` (USD per GPU-hour), busy a share
        ``utilisation`` of the time (:func:`llmecon.deploy.self_hosted_usd_per_mtok`). Arrays broadcast."""
        times, n_gpus = self.stand_ins[model_id]
        return deploy.self_hosted_usd_per_mtok(times, usd_per_gpu_hour, n_gpus, self.input_tokens, self.output_tokens, utilisation)

    def replica_usd_per_month(self, model_id: str, usd_per_gpu_hour):
        """USD a month to rent one replica of ``model_id`` around the clock."""
        return deploy.replica_usd_per_month(usd_per_gpu_hour, self.stand_ins[model_id][1])


@dataclass(frozen=True, eq=False)
class Population:
    """Simulated users, drawn once as scores and scaled by each Monte Carlo draw's assumptions (common random
    numbers, so that only the assumptions move the results). Scores have users on the second-last axis and a
    trailing axis of 1: ``z_volume`` and ``z_value`` standard normal (:func:`stratified_normal`), ``u_need`` uniform
    on [-1, 1]. Volumes are log-normal with ``volume_log10_spread`` decades of standard deviation, worths with
    ``value_log10_spread``; needs spread ``need_spread`` MMLU points either side of their centre."""

    z_volume: np.ndarray
    z_value: np.ndarray
    u_need: np.ndarray
    volume_log10_spread: float
    value_log10_spread: float
    need_spread: float

    def users(self, draws: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Monthly volumes (tokens), worths of a million tokens (USD/Mtok) and quality needs (MMLU points) of the
        users in each draw, given the draws' ``log10_volume`` and ``log10_value`` (log10 of the median user's) and
        ``need_mean`` (MMLU points), each shaped (draw, 1, 1)."""
        return (lognormal_users(self.z_volume, 10 ** draws["log10_volume"], self.volume_log10_spread),
                lognormal_users(self.z_value, 10 ** draws["log10_value"], self.value_log10_spread),
                draws["need_mean"] + self.need_spread * self.u_need)


def option_costs(volume, options: pd.DataFrame, self_hosting: SelfHosting, draws: Mapping[str, np.ndarray],
                 gpu_factor: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """What each option costs each user, USD/Mtok (draw, user, option), and the part of it that is GPU rent.

    ``volume``: users' monthly tokens (draw, user, 1). An API option costs its blended price; a self-hosted one the
    monthly bill (at least one replica, more as volume grows, at the draw's GPU price ``draws["gpu"]`` in USD per
    GPU-hour times ``gpu_factor`` and utilisation ``draws["util"]``, plus the fixed cost ``draws["fixed"]`` in USD a
    month) over the user's volume. Only that bill less the fixed cost is GPU rent; APIs have none."""
    gpu, util, fixed = draws["gpu"][..., 0] * gpu_factor, draws["util"][..., 0], draws["fixed"][..., 0]
    cost = np.ones(volume.shape[:-1] + (1,)) * options["blended"].to_numpy(dtype=float)
    gpu_part = np.zeros_like(cost)
    for j in np.flatnonzero((options["kind"] == SELF_HOSTED).to_numpy()):
        model_id = options["model_id"].iloc[j]
        rent = self_hosting.replica_usd_per_month(model_id, gpu)
        gpu_part[..., j] = effective_usd_per_mtok(volume[..., 0], np.nan, self_hosting.usd_per_mtok(model_id, gpu, util), rent, 0.0)
        cost[..., j] = gpu_part[..., j] + fixed / volume[..., 0] * 1e6
    return cost, gpu_part


@dataclass(frozen=True)
class Shocks:
    """Changes to a market after its calibration: GPU rents times ``gpu_factor``, ``quality_gain`` MMLU points added to
    every open-weight option, and the price of each model in ``price_factors`` (model id -> factor) times its factor."""

    gpu_factor: float = 1.0
    quality_gain: float = 0.0
    price_factors: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Choice:
    """What the users of a market choose (:meth:`Market.choose`). ``shares``: each user's probability of choosing each
    option (draw, user, option); ``tokens``: the share of all users' potential tokens each option serves (draw,
    option); ``bought``: the share of potential tokens bought at all (draw); ``open_share``: the share of the tokens
    bought that open-weight options serve (draw)."""

    shares: np.ndarray
    tokens: np.ndarray
    bought: np.ndarray
    open_share: np.ndarray

    def share_of_bought(self, options) -> np.ndarray:
        """Per draw, the share of the tokens bought that ``options`` serve (an option's index, or a mask of options)."""
        served = self.tokens[..., options]
        return (served if np.ndim(options) == 0 else served.sum(axis=-1)) / self.bought


@dataclass(frozen=True, eq=False)
class Market:
    """Everything users' choices rest on but the hassle of open weights, per Monte Carlo draw (axis 0), user (axis 1)
    and option (last axis); built by :func:`build_market`.

    ``options``: the choice set (after any price shock); ``general``: generalised costs without the hassle, USD/Mtok;
    ``volume``: tokens a month (draw, user, 1); ``value``: what a million tokens is worth, USD (draw, user, 1);
    ``is_open``: the open-weight options, hosted or self-run (option); ``gpu_part``: the part of each cost that is GPU
    rent, USD/Mtok; ``price``: API prices, USD/Mtok, NaN when self-hosted (option); ``beta``: price sensitivity,
    1/(USD/Mtok) (draw, 1, 1).
    """

    options: pd.DataFrame
    general: np.ndarray
    volume: np.ndarray
    value: np.ndarray
    is_open: np.ndarray
    gpu_part: np.ndarray
    price: np.ndarray
    beta: np.ndarray

    def index(self, model_id: str) -> int:
        """Position of the first option of ``model_id``."""
        return int(np.flatnonzero(self.options["model_id"].to_numpy() == model_id)[0])

    def price_shift(self, option: int, factor: float) -> np.ndarray:
        """Change in every option's generalised cost (USD/Mtok) when ``option``'s price alone is multiplied by
        ``factor``."""
        return np.where(np.arange(len(self.price)) == option, (factor - 1) * self.price[option], 0.0)

    def shares(self, hassle, beta=None, shift=None) -> np.ndarray:
        """Each user's probability of choosing each option (:func:`choice_shares`) given the ``hassle`` of open
        weights (USD/Mtok, per draw (draw, 1, 1)), optionally another ``beta`` and a ``shift`` of the generalised
        costs (USD/Mtok, per option; see :meth:`price_shift`)."""
        general = self.general + hassle * self.is_open
        if shift is not None:
            general += shift
        return choice_shares(general, self.value, self.beta if beta is None else beta)

    def choose(self, hassle, beta=None, shift=None) -> Choice:
        """The users' choices and the tokens each option serves; arguments as for :meth:`shares`."""
        shares = self.shares(hassle, beta, shift)
        tokens = volume_shares(shares, self.volume)
        bought = tokens.sum(axis=-1)
        return Choice(shares, tokens, bought, tokens[..., self.is_open].sum(axis=-1) / bought)


def build_market(options: pd.DataFrame, draws: Mapping[str, np.ndarray], population: Population,
                 self_hosting: SelfHosting, shocks: Shocks = Shocks(), shortfall=None) -> Market:
    """The :class:`Market` of the choice set ``options`` (:func:`small_tier_choice_set`) for the users of
    ``population`` under each Monte Carlo draw, after ``shocks``.

    ``draws`` maps each assumption to its values per draw, shaped (draw, 1, 1): ``beta`` (1/(USD/Mtok)),
    ``shortfall`` (USD/Mtok per MMLU point short of a need; ``shortfall`` overrides it), ``need_mean`` (MMLU points),
    ``log10_volume`` and ``log10_value`` (:meth:`Population.users`), ``gpu`` (USD per GPU-hour), ``util`` (share) and
    ``fixed`` (USD a month) for self-hosting (:func:`option_costs`)."""
    factor = options["model_id"].map(dict(shocks.price_factors))  # NaN for the models not repriced
    options = options.assign(blended=np.where(factor.notna(), options["blended"] * factor, options["blended"]))
    volume, value, need = population.users(draws)
    cost, gpu_part = option_costs(volume, options, self_hosting, draws, shocks.gpu_factor)
    is_open = options["kind"].str.contains("open").to_numpy()
    quality = options["mmlu"].to_numpy(dtype=float) + shocks.quality_gain * is_open
    general = generalised_cost(cost, quality, need, draws["shortfall"] if shortfall is None else shortfall)
    price = options["blended"].to_numpy(dtype=float)
    return Market(options, general, volume, value, is_open, gpu_part, price, draws["beta"])


def calibrate_hassle(market: Market, open_share_target, low: float = -1.0, high: float = 3.0, iterations: int = 12) -> np.ndarray:
    """Per draw, the hassle of open weights (USD/Mtok, shaped (draw, 1, 1)) at which they serve ``open_share_target``
    (one share per draw) of the tokens bought, by bisection between ``low`` and ``high``; where no hassle in that
    range reaches the target, the nearer end. The open share falls as the hassle rises."""
    target = np.asarray(open_share_target, dtype=float)
    hassle = bisect(lambda h: market.choose(h[:, None, None]).open_share - target,
                    np.full(target.shape, low), np.full(target.shape, high), iterations=iterations)
    return hassle[:, None, None]


def tokens_at_prices(market: Market, hassle, option: int, factors: Iterable[float], beta=None) -> np.ndarray:
    """Share of all users' potential tokens that ``option`` serves when its price alone is multiplied by each of
    ``factors``, everything else held: an array (factor, draw). ``beta`` as in :meth:`Market.shares`."""
    return np.stack([market.choose(hassle, beta, market.price_shift(option, f)).tokens[..., option] for f in factors])


def most_profitable_price_factor(market: Market, hassle, option: int, factors: Sequence[float], serving_usd_per_mtok) -> np.ndarray:
    """Per draw, the one of ``factors`` (multiples of ``option``'s price) at which ``option`` makes the most gross
    profit: the tokens it serves times its price less its serving cost (``serving_usd_per_mtok``, one per draw)."""
    profit = []
    for f in factors:
        served = (market.shares(hassle, shift=market.price_shift(option, f))[..., option] * market.volume[..., 0]).mean(-1) / 1e6
        profit.append(served * (f * market.price[option] - serving_usd_per_mtok))
    return np.asarray(factors)[np.argmax(np.array(profit), axis=0)]


def revenue_and_profit(market: Market, choice: Choice, sold, serving_usd_per_mtok: Mapping[str, np.ndarray]):
    """For the options in the mask ``sold`` (API offers of one seller): monthly revenue and gross profit per user
    (USD, averaged over the users) and the share of users who buy one of them, each per draw. ``serving_usd_per_mtok``
    maps each sold model to its serving cost per draw (USD/Mtok)."""
    sold = np.asarray(sold, dtype=bool)
    mtok = (choice.shares * market.volume).mean(axis=-2)[:, sold] / 1e6  # Mtok a month per user
    price = market.price[sold]
    cost = np.stack([serving_usd_per_mtok[m] for m in market.options.loc[sold, "model_id"]], axis=-1)
    return (mtok * price).sum(-1), (mtok * (price - cost)).sum(-1), choice.shares[..., sold].sum(-1).mean(-1)
