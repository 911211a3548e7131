"""Self-hosting cost model: what a token costs on rented GPUs, and the volume at which that beats an API price.

Units: GPU prices in USD per GPU-hour; throughput in tokens/s; token times in replica-seconds per token; costs in
USD per million tokens (USD/Mtok); volumes in tokens per month; fixed costs in USD per month. A month is
:data:`HOURS_PER_MONTH` hours. A *replica* is the group of GPUs that serves one copy of the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from llmecon.prices import blended_price, daily_cheapest_prices, prices_in_force_daily
from llmecon.serving import (BYTES_PER_PARAM, decode_tokens_per_s_roofline, kv_cache_gb, tokens_per_s_compute_bound,
                             weight_memory_gb)

HOURS_PER_MONTH = 8760 / 12  # 730 hours: a year's hours over twelve months


@dataclass(frozen=True)
class TokenTimes:
    """Replica-seconds that tokens occupy at saturation: ``input_s`` per input token (prefill), ``output_s`` per
    output token (decode), plus ``context_s`` per output token for each token already in its context (attention
    over the key-value cache, and the smaller batch a longer context leaves room for)."""

    input_s: float
    output_s: float
    context_s: float = 0.0

    def request_s(self, input_tokens, output_tokens):
        """Replica-seconds one request of ``input_tokens`` in and ``output_tokens`` out occupies."""
        mean_context = input_tokens + output_tokens / 2
        return input_tokens * self.input_s + output_tokens * (self.output_s + self.context_s * mean_context)

    def per_token_s(self, input_tokens, output_tokens) -> tuple[float, float]:
        """(prefill, decode) replica-seconds per input and per output token, for requests of this shape."""
        return self.input_s, self.output_s + self.context_s * (input_tokens + output_tokens / 2)


def fit_token_times(input_tokens, output_tokens, output_tokens_per_s) -> TokenTimes:
    """Prefill, decode and context times per token of a saturated replica, fitted to throughput measurements.

    A request of ``i`` input and ``o`` output tokens measured at ``output_tokens_per_s`` occupies the replica for
    ``o / output_tokens_per_s`` seconds, modelled as :meth:`TokenTimes.request_s`. The three times are fitted by
    least squares on the relative error; the measurements need at least three request shapes that pin them down.
    """
    i, o, tps = (np.asarray(x, dtype=float) for x in (input_tokens, output_tokens, output_tokens_per_s))
    seconds = o / tps
    design = np.column_stack([i, o, o * (i + o / 2)]) / seconds[:, None]
    if len(i) < 3 or np.linalg.matrix_rank(design) < 3:
        raise ValueError("fitting prefill, decode and context times needs three or more request shapes")
    (input_s, output_s, context_s), *_ = np.linalg.lstsq(design, np.ones_like(i), rcond=None)
    if min(input_s, output_s, context_s) <= 0:
        raise ValueError(f"measurements give a non-positive time (input {input_s:.3g} s, output {output_s:.3g} s, "
                         f"context {context_s:.3g} s per token)")
    return TokenTimes(float(input_s), float(output_s), float(context_s))


def worst_fit_error(times: TokenTimes, input_tokens, output_tokens, output_tokens_per_s) -> float:
    """Largest relative error of the output tokens/s that ``times`` predicts for the measured request shapes."""
    i, o, tps = (np.asarray(x, dtype=float) for x in (input_tokens, output_tokens, output_tokens_per_s))
    return float(np.max(np.abs(o / times.request_s(i, o) / tps - 1)))


def max_batch(memory_gb: float, weights_gb: float, kv_gb_per_sequence: float, reserve_share: float = 0.1) -> int:
    """Sequences whose key-value cache fits beside the weights in ``memory_gb`` (GB), keeping ``reserve_share`` free."""
    free = memory_gb * (1 - reserve_share) - weights_gb
    if free < kv_gb_per_sequence:
        raise ValueError(f"weights of {weights_gb:.1f} GB leave no room for one sequence in {memory_gb:.0f} GB")
    return int(free // kv_gb_per_sequence)


def roofline_token_times(params_b: float, bytes_per_param: float, memory_bandwidth_gb_s: float, dense_tflops: float,
                         n_gpus: int, batch: int, kv_gb_per_sequence: float) -> TokenTimes:
    """The roofline's lower bounds on replica-seconds per token (so an upper bound on throughput).

    Prefill is compute-bound (2 FLOPs per parameter per token); decode at ``batch`` sequences, each holding
    ``kv_gb_per_sequence`` of cache, is the slower of the memory and compute bounds (so the context is already in
    ``output_s``). A replica of ``n_gpus`` pools their bandwidth and compute; communication is free.
    """
    input_s = 1 / tokens_per_s_compute_bound(params_b, dense_tflops * n_gpus)
    output_s = 1 / decode_tokens_per_s_roofline(params_b, bytes_per_param, memory_bandwidth_gb_s * n_gpus,
                                                dense_tflops * n_gpus, batch, kv_gb_per_sequence)
    return TokenTimes(input_s, output_s)


def usd_per_mtok(usd_per_gpu_hour, n_gpus, seconds_per_token, utilisation=1.0):
    """USD per million tokens on a replica of ``n_gpus`` paid ``usd_per_gpu_hour`` each and busy a share
    ``utilisation`` of the hours paid for, when a token takes ``seconds_per_token`` of a busy replica."""
    utilisation = np.asarray(utilisation, dtype=float)
    if np.any((utilisation <= 0) | (utilisation > 1)):
        raise ValueError("utilisation must lie in (0, 1]")
    return np.asarray(usd_per_gpu_hour) * n_gpus / 3600 * np.asarray(seconds_per_token) * 1e6 / utilisation


def replica_usd_per_month(usd_per_gpu_hour, n_gpus):
    """USD a month for one replica of ``n_gpus`` rented around the clock."""
    return np.asarray(usd_per_gpu_hour) * n_gpus * HOURS_PER_MONTH


def self_hosted_usd_per_month(tokens_per_month, self_usd_per_mtok, replica_usd, fixed_usd_per_month=0.0):
    """USD a month to self-host ``tokens_per_month``: at least one replica always on, more as volume grows
    (paid at ``self_usd_per_mtok``, the cost at the target utilisation), plus the fixed operating cost."""
    return np.maximum(replica_usd, np.asarray(tokens_per_month) * np.asarray(self_usd_per_mtok) / 1e6) + fixed_usd_per_month


def break_even_tokens(api_usd_per_mtok, self_usd_per_mtok, replica_usd, fixed_usd_per_month=0.0):
    """Monthly tokens above which self-hosting (:func:`self_hosted_usd_per_month`) costs less than the API;
    ``inf`` where the self-hosted cost per token is not below the API price. Works on arrays (broadcast).

    Self-hosting wins once ``volume * api >= replica + fixed`` and ``volume * (api - self) >= fixed``.
    """
    api = np.asarray(api_usd_per_mtok, dtype=float) / 1e6
    own = np.asarray(self_usd_per_mtok, dtype=float) / 1e6
    fixed = np.asarray(fixed_usd_per_month, dtype=float)
    margin = np.where(own < api, api - own, np.nan)
    volume = np.maximum((np.asarray(replica_usd) + fixed) / api, fixed / margin)
    result = np.where(own < api, volume, np.inf)
    return result.item() if result.ndim == 0 else result


def gpu_price_points(gpu_prices: pd.DataFrame, on, window_days: int, central_kinds=("on_demand",),
                     fallback_kinds=("serverless",), range_kinds=("on_demand", "reserved", "capacity_block", "marketplace",
                                                                   "serverless")) -> pd.DataFrame:
    """Per GPU, USD per GPU-hour around date ``on``: the median of ``central_kinds`` rows (of ``fallback_kinds`` where
    there are none) and the low and high of ``range_kinds`` rows, all with ``as_of`` within ``window_days`` of ``on``.

    Each provider and pricing kind counts once, by its row nearest to ``on``.
    """
    on = pd.Timestamp(on)
    near = gpu_prices.assign(_gap=(gpu_prices["as_of"] - on).abs().dt.days)
    near = near[near["_gap"] <= window_days].sort_values(["_gap", "as_of"], kind="stable")
    near = near.drop_duplicates(["provider", "gpu_id", "pricing_kind"])
    rows = []
    for gpu_id, group in near.groupby("gpu_id", sort=True):
        central = group[group["pricing_kind"].isin(central_kinds)]
        basis = ", ".join(central_kinds)
        if central.empty:
            central, basis = group[group["pricing_kind"].isin(fallback_kinds)], ", ".join(fallback_kinds)
        spread = group[group["pricing_kind"].isin(range_kinds)]["usd_per_gpu_hour"]
        if central.empty or spread.empty:
            continue
        rows.append({"gpu_id": gpu_id, "central": float(central["usd_per_gpu_hour"].median()), "central_kinds": basis,
                     "n_central": len(central), "low": float(spread.min()), "high": float(spread.max()), "n_rows": len(spread)})
    return pd.DataFrame(rows)


def tornado(model: Callable[..., float], base: Mapping[str, float], ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """One-at-a-time sensitivity: ``model(**inputs)`` with each input set to the low and the high of its range
    while the others stay at ``base``. One row per input, sorted by swing (largest first)."""
    rows = []
    for name, (low, high) in ranges.items():
        rows.append({"input": name, "low": low, "high": high,
                     "at_low": float(model(**{**base, name: low})), "at_high": float(model(**{**base, name: high}))})
    table = pd.DataFrame(rows)
    table["swing"] = (table["at_high"] - table["at_low"]).abs()
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def self_hosted_usd_per_mtok(times: TokenTimes, usd_per_gpu_hour, n_gpus, input_tokens, output_tokens, utilisation=1.0):
    """USD per million tokens (input and output together) of requests of this shape, self-hosted on a replica of
    ``n_gpus`` at ``usd_per_gpu_hour`` each, busy a share ``utilisation`` of the time. Works on arrays."""
    seconds_per_token = times.request_s(input_tokens, output_tokens) / (np.asarray(input_tokens) + output_tokens)
    return usd_per_mtok(usd_per_gpu_hour, n_gpus, seconds_per_token, utilisation)


def roofline_for(params_b: float, precision: str, gpu: Mapping, n_gpus: int, architecture: tuple[int, int, int],
                 context_tokens: int, kv_bytes_per_value: float) -> TokenTimes:
    """:func:`roofline_token_times` for a model of ``params_b`` billion weights at ``precision`` (FP8, or 16-bit for
    anything else) on ``n_gpus`` of ``gpu`` (a row of the gpus table), at the largest batch whose key-value cache
    of ``context_tokens`` per sequence fits. ``architecture`` is (layers, key-value heads, head dimension)."""
    fp8 = precision == "FP8"
    width = BYTES_PER_PARAM["FP8" if fp8 else "BF16"]
    tflops = gpu["fp8_dense_tflops" if fp8 else "bf16_dense_tflops"]
    kv = kv_cache_gb(*architecture, context_tokens, bytes_per_value=kv_bytes_per_value)
    batch = max_batch(gpu["memory_gb"] * n_gpus, weight_memory_gb(params_b, width), kv)
    return roofline_token_times(params_b, width, gpu["memory_bandwidth_gb_s"], tflops, n_gpus, batch, kv)


# ---------------------------------------------------------------------------------------------------------------
# Deployments: one way to serve a model, costed for requests of one shape
# ---------------------------------------------------------------------------------------------------------------

BASES = ("measured", "roofline bound")


@dataclass(frozen=True)
class Deployment:
    """One way to serve a model: replicas of ``n_gpus`` GPUs ``gpu_id`` at ``precision``, costed for requests of
    ``input_tokens`` in and ``output_tokens`` out.

    ``measured`` holds the token times fitted to saturation measurements (``None`` where there are none, and then
    the roofline stands in for them), ``roofline`` the roofline's lower bounds, ``fit_error`` the fit's worst
    relative error (NaN without a fit). Costs are in USD per million tokens (input and output together), GPU prices
    in USD per GPU-hour, volumes in tokens per month. Every method works on arrays of prices, utilisations,
    throughput factors and fixed costs (broadcast), so a grid or a Monte Carlo sample is one call.
    """

    model_id: str
    gpu_id: str
    n_gpus: int
    precision: str
    measured: TokenTimes | None
    roofline: TokenTimes
    input_tokens: int
    output_tokens: int
    label: str = ""
    fit_error: float = float("nan")

    def __post_init__(self):
        if self.n_gpus < 1:
            raise ValueError(f"{self.model_id} on {self.gpu_id}: a replica needs at least one GPU, got {self.n_gpus}")
        if self.input_tokens < 0 or self.output_tokens <= 0:
            raise ValueError(f"{self.model_id} on {self.gpu_id}: a request needs output tokens and no negative input "
                             f"({self.input_tokens} in, {self.output_tokens} out)")

    @property
    def key(self) -> tuple[str, str]:
        """(model_id, gpu_id)."""
        return self.model_id, self.gpu_id

    @property
    def basis(self) -> str:
        """What the default costs rest on: ``"measured"`` throughput, or the ``"roofline bound"`` where none was measured."""
        return BASES[0] if self.measured is not None else BASES[1]

    def times(self, basis: str = "measured") -> TokenTimes:
        """The token times on ``basis`` (one of :data:`BASES`); ``"measured"`` falls back to the roofline without a fit."""
        if basis not in BASES:
            raise ValueError(f"basis must be one of {BASES}, got {basis!r}")
        return self.measured if basis == "measured" and self.measured is not None else self.roofline

    def gpu_seconds_per_request(self, basis: str = "measured") -> float:
        """GPU-seconds one request occupies on a saturated replica: replica-seconds times GPUs per replica."""
        return self.n_gpus * self.times(basis).request_s(self.input_tokens, self.output_tokens)

    def usd_per_mtok(self, usd_per_gpu_hour, utilisation=1.0, throughput_factor=1.0, basis: str = "measured"):
        """USD per million tokens at ``usd_per_gpu_hour`` per GPU and ``utilisation`` (share of paid hours busy, in
        (0, 1]), with the saturation throughput multiplied by ``throughput_factor`` (> 0)."""
        if np.any(np.asarray(throughput_factor) <= 0):
            raise ValueError("throughput_factor must be positive")
        return self_hosted_usd_per_mtok(self.times(basis), usd_per_gpu_hour, self.n_gpus, self.input_tokens,
                                        self.output_tokens, utilisation) / throughput_factor

    def replica_usd_per_month(self, usd_per_gpu_hour):
        """USD a month for one replica rented around the clock at ``usd_per_gpu_hour`` per GPU."""
        return replica_usd_per_month(usd_per_gpu_hour, self.n_gpus)

    def break_even_tokens(self, api_usd_per_mtok, usd_per_gpu_hour, utilisation=1.0, throughput_factor=1.0,
                          fixed_usd_per_month=0.0):
        """Tokens a month above which this deployment (at least one replica always on, plus ``fixed_usd_per_month``)
        costs less than an API at ``api_usd_per_mtok``; ``inf`` where it never does (see :func:`break_even_tokens`)."""
        own = self.usd_per_mtok(usd_per_gpu_hour, utilisation, throughput_factor)
        return break_even_tokens(api_usd_per_mtok, own, self.replica_usd_per_month(usd_per_gpu_hour), fixed_usd_per_month)

    def tokens_per_month(self, utilisation=1.0, throughput_factor=1.0):
        """Tokens (input and output) one replica serves in a month at ``utilisation`` of its measured saturation
        throughput (the roofline's where none was measured), scaled by ``throughput_factor``."""
        request_s = self.times("measured").request_s(self.input_tokens, self.output_tokens)
        return utilisation * HOURS_PER_MONTH * 3600 * (self.input_tokens + self.output_tokens) / request_s * throughput_factor


def build_deployments(specs, measurements: pd.DataFrame, models: pd.DataFrame, gpus: pd.DataFrame,
                      architectures: Mapping[str, tuple[int, int, int]], input_tokens: int, output_tokens: int,
                      kv_bytes_per_value: float) -> dict[tuple[str, str], Deployment]:
    """The :class:`Deployment` of each spec ``(model_id, measured_model, gpu_id, n_gpus, precision)``, keyed by
    ``(model_id, gpu_id)`` in the order of ``specs``.

    Token times are fitted (:func:`fit_token_times`) to the rows of ``measurements`` (throughput rows at saturation)
    for ``measured_model`` on that GPU, GPU count and precision, where there are three or more; the roofline
    (:func:`roofline_for`) takes the model's size from ``models``, the GPU's from ``gpus``, the model's
    (layers, key-value heads, head dimension) from ``architectures``, and a context of the input plus half the output.
    """
    card, gpu = models.set_index("model_id"), gpus.set_index("gpu_id")
    shape_columns = ("input_tokens", "output_tokens", "output_tokens_per_s")
    deployments = {}
    for model_id, measured_model, gpu_id, n_gpus, precision in specs:
        if (model_id, gpu_id) in deployments:
            raise ValueError(f"{model_id} on {gpu_id} is listed twice")
        if model_id not in architectures:
            raise ValueError(f"no architecture given for {model_id}")
        rows = measurements[(measurements["model_id"] == measured_model) & (measurements["gpu_id"] == gpu_id)
                            & (measurements["n_gpus"] == n_gpus) & (measurements["precision"] == precision)]
        shapes = [rows[c] for c in shape_columns]
        fit = fit_token_times(*shapes) if len(rows) >= 3 else None
        roof = roofline_for(card.loc[model_id, "params_b"], precision, gpu.loc[gpu_id], n_gpus, architectures[model_id],
                            input_tokens + output_tokens // 2, kv_bytes_per_value)
        label = f"{card.loc[model_id, 'name']} on {n_gpus}× {gpu.loc[gpu_id, 'name'].replace('NVIDIA ', '')}"
        deployments[model_id, gpu_id] = Deployment(
            model_id, gpu_id, n_gpus, precision, fit, roof, input_tokens, output_tokens, label,
            worst_fit_error(fit, *shapes) if fit else np.nan)
    return deployments


def speed_table(deployments: Mapping[tuple[str, str], Deployment]) -> pd.DataFrame:
    """Per deployment and basis (measured where fitted, and the roofline bound): prefill and decode tokens/s of a
    saturated replica at its request shape, and the fit's worst error in percent (NaN for the roofline)."""
    rows = []
    for d in deployments.values():
        for basis, times in zip(BASES, (d.measured, d.roofline)):
            if times is None:
                continue
            prefill_s, decode_s = times.per_token_s(d.input_tokens, d.output_tokens)
            rows.append({"deployment": d.label, "basis": basis, "prefill_tokens_per_s": 1 / prefill_s,
                         "decode_tokens_per_s": 1 / decode_s,
                         "worst_fit_error_pct": 100 * d.fit_error if basis == "measured" else np.nan})
    return pd.DataFrame(rows)


def cost_curves(deployments: Mapping[tuple[str, str], Deployment], gpu_usd_per_hour: Mapping[tuple[str, str], float],
                periods, utilisations, throughput_factor=1.0) -> pd.DataFrame:
    """USD per million tokens of each deployment at each utilisation, with its GPU at ``gpu_usd_per_hour[period,
    gpu_id]`` (USD per GPU-hour), for each of ``periods``: one row per period, deployment and utilisation, in
    that order. One vectorised call per period and deployment."""
    utilisations = np.asarray(utilisations)
    parts = []
    for period in periods:
        for d in deployments.values():
            parts.append(pd.DataFrame({"period": period, "deployment": d.label, "basis": d.basis, "utilisation": utilisations,
                                       "usd_per_mtok": d.usd_per_mtok(gpu_usd_per_hour[period, d.gpu_id], utilisations,
                                                                      throughput_factor)}))
    return pd.concat(parts, ignore_index=True)


def price_ratio_to_break_even(newer: Deployment, older: Deployment, basis: str = "measured") -> float:
    """The price per GPU-hour of ``older``'s GPU, as a share of ``newer``'s, below which ``older`` serves the same
    requests more cheaply per token: the ratio of their GPU-seconds per request (``newer``'s over ``older``'s)."""
    if (newer.input_tokens, newer.output_tokens) != (older.input_tokens, older.output_tokens):
        raise ValueError("the two deployments are costed for different request shapes")
    return newer.gpu_seconds_per_request(basis) / older.gpu_seconds_per_request(basis)


# ---------------------------------------------------------------------------------------------------------------
# Prices to compare with
# ---------------------------------------------------------------------------------------------------------------


def api_price_table(prices: pd.DataFrame, models: pd.DataFrame, days: Mapping[str, pd.Timestamp], reference_model: str,
                    hosted: Mapping[str, tuple[str, ...]], output_share: float) -> pd.DataFrame:
    """For each named day of ``days``, the API offers self-hosting is compared with, in USD per million tokens:
    ``reference_model`` from its maker, and for each size of ``hosted`` (a model id and the ids that count as the
    same model) the host whose price blended at ``output_share`` is lowest (ties: by seller's name), with the
    number of hosts selling it. Prices in force on every day are looked up in one pass.
    """
    dated = list(days.items())
    when = [on for _, on in dated]
    maker = daily_cheapest_prices(prices, models, when, makers_only=True)
    live_all = prices_in_force_daily(prices, when)
    name = models.set_index("model_id")["name"]
    tables = []
    for day, (period, on) in enumerate(dated):
        own = maker[(maker["date"] == pd.Timestamp(on)) & (maker["model_id"] == reference_model)]
        if own.empty:
            raise ValueError(f"{reference_model} has no price from its maker on {pd.Timestamp(on):%Y-%m-%d}")
        ref = own.iloc[0]
        rows = [{"offer": f"{ref['name']} ({ref['seller']})", "size": "any", "seller": ref["seller"], "api_name": ref["api_name"],
                 "input": ref["input_usd_per_mtok"], "output": ref["output_usd_per_mtok"]}]
        live = live_all[live_all["_day"] == day]
        for size, ids in hosted.items():
            offers = live[live["model_id"].isin(ids)].assign(
                blend=lambda f: blended_price(f["input_usd_per_mtok"], f["output_usd_per_mtok"], output_share))
            if offers.empty:
                raise ValueError(f"no host sells {size} on {pd.Timestamp(on):%Y-%m-%d}")
            best = offers.sort_values(["blend", "seller"], kind="stable").iloc[0]
            rows.append({"offer": f"hosted {name[size]}", "size": size, "seller": best["seller"], "api_name": best["api_name"],
                         "input": best["input_usd_per_mtok"], "output": best["output_usd_per_mtok"],
                         "hosts": offers["seller"].nunique()})
        table = pd.DataFrame(rows)
        table["blended"] = blended_price(table["input"], table["output"], output_share)
        tables.append(table.assign(period=period))
    return pd.concat(tables)


def same_day_price_ratios(gpu_prices: pd.DataFrame, numerator: str, denominator: str) -> pd.DataFrame:
    """Price of GPU ``numerator`` over GPU ``denominator`` (USD per GPU-hour each, the lowest row of each) for every
    provider, pricing kind and ``as_of`` date that priced both: columns ``source`` ("provider kind date") and
    ``ratio``, sorted by provider, kind and date."""
    both = gpu_prices[gpu_prices["gpu_id"].isin([numerator, denominator])].pivot_table(
        index=["provider", "pricing_kind", "as_of"], columns="gpu_id", values="usd_per_gpu_hour", aggfunc="min")
    if numerator not in both or denominator not in both:
        return pd.DataFrame({"source": pd.Series(dtype=str), "ratio": pd.Series(dtype=float)})
    both = both.dropna().reset_index()
    return pd.DataFrame({"source": both["provider"] + " " + both["pricing_kind"] + " " + both["as_of"].dt.strftime("%Y-%m-%d"),
                         "ratio": both[numerator] / both[denominator]})


# ---------------------------------------------------------------------------------------------------------------
# Monte Carlo and reporting
# ---------------------------------------------------------------------------------------------------------------


def uniform_input_draws(ranges: Mapping[str, tuple[float, float]], n_draws: int, seed: int) -> dict[str, np.ndarray]:
    """``n_draws`` independent draws of each named input, uniform over its (low, high) range, taken one input after
    another in the order of ``ranges`` from one generator seeded with ``seed``: the same seed, ranges and order
    give the same draws. (Unlike :func:`llmecon.demand.uniform_draws`, not stratified.)"""
    if n_draws < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
    for name, (low, high) in ranges.items():
        if high < low:
            raise ValueError(f"range of {name!r} is reversed: ({low}, {high})")
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(float(low), float(high), n_draws) for name, (low, high) in ranges.items()}


def percentiles(values, qs=(10, 50, 90), axis=0):
    """The ``qs`` percentiles of ``values`` along ``axis``, ignoring NaN (draws where a quantity is undefined) and
    without interpolating, so that infinite values (never) stay infinite rather than turning into NaN."""
    return np.nanpercentile(np.asarray(values, dtype=float), qs, axis=axis, method="inverted_cdf")


def log10_volume_histogram(volumes, bins: int) -> pd.DataFrame:
    """Histogram of log10 of the finite volumes (tokens per month; ``inf``, never, left out) in ``bins`` equal bins:
    columns ``log10_tokens_from``, ``log10_tokens_to``, ``draws``."""
    volumes = np.asarray(volumes, dtype=float)
    finite = volumes[np.isfinite(volumes)]
    if finite.size == 0:
        raise ValueError("no finite volume to draw")
    counts, edges = np.histogram(np.log10(finite), bins=bins)
    return pd.DataFrame({"log10_tokens_from": edges[:-1], "log10_tokens_to": edges[1:], "draws": counts})


def tokens_in_words(volume) -> str:
    """A monthly token volume in words: "10.5 billion", "2.0 trillion", "never" for ``inf``."""
    volume = float(volume)
    if np.isnan(volume) or volume < 0:
        raise ValueError(f"a token volume must be non-negative or inf, got {volume}")
    if np.isinf(volume):
        return "never"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if volume >= size:
            return f"{volume / size:,.1f} {word}"
    return f"{volume:,.0f}"
