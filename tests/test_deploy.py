"""The self-hosting cost model, against cases worked by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from frames import price_rows
from llmecon import deploy


def test_a_month_is_a_twelfth_of_a_year():
    assert deploy.HOURS_PER_MONTH == 730


def test_cost_per_million_tokens():
    # $3.60 per GPU-hour is $0.001 per second; 1e-4 s per token is 100 s per million tokens: $0.10.
    assert deploy.usd_per_mtok(3.6, 1, 1e-4) == pytest.approx(0.10)
    # Half busy doubles it, and so does a second GPU in the replica.
    assert deploy.usd_per_mtok(3.6, 1, 1e-4, utilisation=0.5) == pytest.approx(0.20)
    assert deploy.usd_per_mtok(3.6, 2, 1e-4) == pytest.approx(0.20)
    np.testing.assert_allclose(deploy.usd_per_mtok(3.6, 1, 1e-4, utilisation=np.array([1.0, 0.25])), [0.10, 0.40])
    with pytest.raises(ValueError, match="utilisation"):
        deploy.usd_per_mtok(3.6, 1, 1e-4, utilisation=0)


def test_replica_cost_per_month():
    assert deploy.replica_usd_per_month(2.0, 4) == pytest.approx(2.0 * 4 * 730)


def test_request_time_and_per_token_times():
    times = deploy.TokenTimes(input_s=1e-5, output_s=1e-4, context_s=1e-8)
    # 1000 in, 100 out: 0.01 s prefill, 0.01 s decode, 1e-8 * 100 * (1000 + 50) = 0.00105 s for the context.
    assert times.request_s(1000, 100) == pytest.approx(0.02105)
    assert times.per_token_s(1000, 100) == pytest.approx((1e-5, 1e-4 + 1e-8 * 1050))


def test_fit_recovers_prefill_decode_and_context_times():
    # Request times by hand from the times above: 0.02105 s, 0.107 s and 0.125 s.
    times = deploy.fit_token_times([1000, 100, 1000], [100, 1000, 1000], [100 / 0.02105, 1000 / 0.107, 1000 / 0.125])
    assert times.input_s == pytest.approx(1e-5)
    assert times.output_s == pytest.approx(1e-4)
    assert times.context_s == pytest.approx(1e-8)


def test_fit_needs_three_shapes_and_positive_times():
    with pytest.raises(ValueError, match="three or more"):
        deploy.fit_token_times([1000, 100], [100, 1000], [5000, 9000])
    with pytest.raises(ValueError, match="non-positive"):
        # longer prompts giving more output tokens per second can only be fitted by a negative prefill time
        deploy.fit_token_times([100, 2000, 5000], [100, 200, 100], [1000, 4000, 8000])


def test_roofline_token_times():
    # Llama-sized 8B at 1 byte per weight on 3,350 GB/s and 1,979 TFLOPS: decode at batch 1 is memory-bound,
    # 3350 / 8 = 418.75 tokens/s; prefill is compute-bound, 1979e12 / (2 * 8e9) = 123,687.5 tokens/s.
    times = deploy.roofline_token_times(8, 1.0, 3350, 1979, n_gpus=1, batch=1, kv_gb_per_sequence=0.0)
    assert times.output_s == pytest.approx(1 / 418.75)
    assert times.input_s == pytest.approx(1 / 123_687.5)
    # Two GPUs pool bandwidth and compute.
    pair = deploy.roofline_token_times(8, 1.0, 3350, 1979, n_gpus=2, batch=1, kv_gb_per_sequence=0.0)
    assert pair.output_s == pytest.approx(1 / 837.5)


def test_worst_fit_error():
    times = deploy.TokenTimes(input_s=1e-5, output_s=1e-4)
    # 1000 in / 100 out takes 0.02 s: 5,000 output tokens/s predicted; a measured 4,000 is 25 % off.
    assert deploy.worst_fit_error(times, [1000, 1000], [100, 100], [5000, 4000]) == pytest.approx(0.25)


def test_roofline_for_a_gpu_row():
    # 8B at FP8 on one 80 GB GPU of 3,350 GB/s: 8 GB of weights, a cache of 2 * 32 * 8 * 128 bytes = 65,536 bytes
    # per token at 1 byte per value, so 0.131072 GB per 2,000-token sequence; (72 - 8) / 0.131072 = 488 sequences.
    gpu = {"fp8_dense_tflops": 1979.0, "bf16_dense_tflops": 989.5, "memory_gb": 80.0, "memory_bandwidth_gb_s": 3350.0}
    times = deploy.roofline_for(8, "FP8", gpu, 1, (32, 8, 128), 2000, 1.0)
    assert 1 / times.output_s == pytest.approx(488 * 3350 / (8 + 488 * 0.131072))
    # Anything but FP8 is costed at 16 bits and the BF16 rate.
    assert 1 / deploy.roofline_for(8, "FP16", gpu, 1, (32, 8, 128), 2000, 1.0).input_s == pytest.approx(989.5e12 / 16e9)


def test_max_batch():
    assert deploy.max_batch(80, 16, 0.5) == 112  # (80 * 0.9 - 16) / 0.5
    with pytest.raises(ValueError, match="no room"):
        deploy.max_batch(80, 75, 0.5)


def test_break_even_volume():
    # API $0.30/Mtok, self-hosted $0.10/Mtok, one replica $600 a month.
    assert deploy.break_even_tokens(0.30, 0.10, 600) == pytest.approx(2e9)  # 600 / 0.3e-6
    # With $1,000 a month fixed: the replica floor binds, (600 + 1000) / 0.3e-6.
    assert deploy.break_even_tokens(0.30, 0.10, 600, 1000) == pytest.approx(1600 / 0.3e-6)
    # With $3,000: the margin binds, 3000 / 0.2e-6 = 1.5e10, where both sides cost $4,500.
    volume = deploy.break_even_tokens(0.30, 0.10, 600, 3000)
    assert volume == pytest.approx(1.5e10)
    assert deploy.self_hosted_usd_per_month(volume, 0.10, 600, 3000) == pytest.approx(volume * 0.30 / 1e6)
    assert math.isinf(deploy.break_even_tokens(0.30, 0.30, 600))
    np.testing.assert_allclose(deploy.break_even_tokens(0.30, np.array([0.10, 0.50]), 600), [2e9, np.inf])


def test_self_hosted_cost_has_a_one_replica_floor():
    np.testing.assert_allclose(deploy.self_hosted_usd_per_month(np.array([0, 1e10]), 0.10, 600, 100), [700, 1100])


def test_gpu_price_points_take_each_provider_once_near_the_date():
    rows = pd.DataFrame({
        "provider": ["A", "A", "B", "C", "D", "E"],
        "gpu_id": ["h100", "h100", "h100", "h100", "h100", "l4"],
        "pricing_kind": ["on_demand", "on_demand", "on_demand", "spot", "reserved", "serverless"],
        "usd_per_gpu_hour": [10.0, 4.0, 2.0, 1.0, 1.5, 0.8],
        "as_of": pd.to_datetime(["2024-01-01", "2024-07-01", "2024-08-01", "2024-07-01", "2024-07-01", "2024-07-01"]),
    })
    points = deploy.gpu_price_points(rows, "2024-07-15", window_days=60).set_index("gpu_id")
    # A counts once, at its July price; spot is in neither the central value nor the range.
    assert points.loc["h100", "central"] == pytest.approx(3.0)  # median of 4 and 2
    assert (points.loc["h100", "low"], points.loc["h100", "high"]) == (1.5, 4.0)
    assert points.loc["l4", "central_kinds"] == "serverless"  # no on-demand row: falls back


def test_tornado_sorts_by_swing():
    table = deploy.tornado(lambda a, b: a * b, {"a": 2, "b": 3}, {"b": (2, 3), "a": (1, 4)})
    assert list(table["input"]) == ["a", "b"]
    assert list(table.loc[0, ["at_low", "at_high", "swing"]]) == [3, 12, 9]


# --- Deployments costed for one request shape -------------------------------------------------------------------

# Token times worked by hand: 1,000 in and 100 out take 0.01 s prefill + 0.01 s decode + 1e-8 * 100 * 1,050 s of
# context = 0.02105 replica-seconds, so 0.02105 / 1,100 s per token.
TIMES = deploy.TokenTimes(input_s=1e-5, output_s=1e-4, context_s=1e-8)
ROOF = deploy.TokenTimes(input_s=5e-6, output_s=5e-5)  # 0.005 + 0.005 = 0.01 s per request


def a_deployment(measured=TIMES, n_gpus=1, **fields):
    return deploy.Deployment("m", "g", n_gpus, "FP8", measured, ROOF, 1000, 100, **fields)


def test_deployment_cost_per_million_tokens_by_hand():
    d = a_deployment()
    # $3.60 per GPU-hour is $0.001 per second: 0.02105 s per request / 1,100 tokens * 1e6 * $0.001 = $19.136...
    assert d.usd_per_mtok(3.6) == pytest.approx(0.02105 / 1100 * 1e6 * 0.001)
    # Half busy doubles it, a throughput factor of 2 halves it, and two GPUs per replica double it.
    assert d.usd_per_mtok(3.6, utilisation=0.5) == pytest.approx(2 * d.usd_per_mtok(3.6))
    assert d.usd_per_mtok(3.6, throughput_factor=2.0) == pytest.approx(d.usd_per_mtok(3.6) / 2)
    assert a_deployment(n_gpus=2).usd_per_mtok(3.6) == pytest.approx(2 * d.usd_per_mtok(3.6))
    # The roofline: 0.01 s per request, so $0.01 / 1,100 * 1e6 / 1e3 ... = 0.01 / 1100 * 1e6 * 0.001.
    assert d.usd_per_mtok(3.6, basis="roofline bound") == pytest.approx(0.01 / 1100 * 1e6 * 0.001)


def test_deployment_cost_works_on_a_grid_in_one_call():
    d = a_deployment()
    prices, utilisations = np.meshgrid([1.8, 3.6], [0.5, 1.0])
    grid = d.usd_per_mtok(prices, utilisations)
    assert grid.shape == (2, 2)
    one = d.usd_per_mtok(3.6)
    np.testing.assert_allclose(grid, [[one, 2 * one], [one / 2, one]])


def test_deployment_without_measurements_falls_back_to_the_roofline():
    d = a_deployment(measured=None)
    assert d.basis == "roofline bound"
    assert d.times("measured") is ROOF
    assert a_deployment().basis == "measured"
    assert d.usd_per_mtok(3.6) == pytest.approx(d.usd_per_mtok(3.6, basis="roofline bound"))


def test_deployment_rejects_bad_inputs():
    d = a_deployment()
    with pytest.raises(ValueError, match="basis"):
        d.times("datasheet")
    with pytest.raises(ValueError, match="throughput_factor"):
        d.usd_per_mtok(3.6, throughput_factor=0)
    with pytest.raises(ValueError, match="utilisation"):
        d.usd_per_mtok(3.6, utilisation=1.5)
    with pytest.raises(ValueError, match="at least one GPU"):
        a_deployment(n_gpus=0)
    with pytest.raises(ValueError, match="output tokens"):
        deploy.Deployment("m", "g", 1, "FP8", TIMES, ROOF, 1000, 0)


def test_deployment_rent_gpu_seconds_and_monthly_capacity():
    d = a_deployment(n_gpus=2)
    assert d.replica_usd_per_month(2.0) == pytest.approx(2.0 * 2 * 730)
    assert d.gpu_seconds_per_request() == pytest.approx(2 * 0.02105)
    # 730 h * 3,600 s / 0.02105 s per request = 124.85 million requests of 1,100 tokens, at half load: 68.7 billion.
    assert d.tokens_per_month(0.5) == pytest.approx(0.5 * 730 * 3600 / 0.02105 * 1100)
    assert d.tokens_per_month(0.5, throughput_factor=2.0) == pytest.approx(730 * 3600 / 0.02105 * 1100)


def test_deployment_break_even_volume_by_hand():
    # Own cost $0.10/Mtok at full load: 0.1 = p / 3600 * s * 1e6 with s = 0.02105 / 1100, so p = 0.36 / (s * 1e6).
    seconds_per_token = 0.02105 / 1100
    price = 0.1 * 3600 / (seconds_per_token * 1e6)
    d = a_deployment()
    assert d.usd_per_mtok(price) == pytest.approx(0.10)
    rent = price * 730  # $13,732 a month
    # Against an API at $0.30/Mtok the replica floor binds: rent / 0.3e-6 = 45.8 billion.
    assert d.break_even_tokens(0.30, price) == pytest.approx(rent / 0.3e-6)
    # With $3,000 a month fixed the floor still binds: (rent + 3000) / 0.3e-6 = 55.8 billion ...
    assert d.break_even_tokens(0.30, price, fixed_usd_per_month=3000) == pytest.approx((rent + 3000) / 0.3e-6)
    # ... with $60,000 the margin binds: 60000 / 0.2e-6 = 300 billion (the floor would give 246 billion).
    assert d.break_even_tokens(0.30, price, fixed_usd_per_month=60_000) == pytest.approx(3e11)
    # At half load the own cost doubles to $0.20: the margin halves, 60000 / 0.1e-6.
    assert d.break_even_tokens(0.30, price, utilisation=0.5, fixed_usd_per_month=60_000) == pytest.approx(6e11)
    # Dearer per token than the API: never.
    assert math.isinf(d.break_even_tokens(0.05, price))


def test_price_ratio_to_break_even():
    # The newer card takes 0.02105 GPU-s a request; an older one with twice the times and twice the GPUs takes
    # four times as long, so it wins only below a quarter of the newer card's price.
    newer = a_deployment()
    slow = deploy.TokenTimes(2e-5, 2e-4, 2e-8)
    older = deploy.Deployment("m", "old", 2, "FP16", slow, ROOF, 1000, 100)
    assert deploy.price_ratio_to_break_even(newer, older) == pytest.approx(0.25)
    assert deploy.price_ratio_to_break_even(newer, older, "roofline bound") == pytest.approx(0.5)  # same roofline, 2 GPUs
    with pytest.raises(ValueError, match="request shapes"):
        deploy.price_ratio_to_break_even(newer, deploy.Deployment("m", "old", 1, "FP16", slow, ROOF, 500, 100))


# --- Building deployments from the tables ---------------------------------------------------------------------------

MODEL_CARDS = pd.DataFrame({"model_id": ["small"], "name": ["Small 8B"], "params_b": [8.0]})
GPU_ROWS = pd.DataFrame({"gpu_id": ["h100"], "name": ["NVIDIA H100 SXM"], "memory_gb": [80.0], "memory_bandwidth_gb_s": [3350.0],
                         "fp8_dense_tflops": [1979.0], "bf16_dense_tflops": [989.5]})


def measurements(n_shapes):
    # Three request shapes timed exactly by TIMES: output tokens / request seconds.
    shapes = [(1000, 100), (100, 1000), (1000, 1000)][:n_shapes]
    return pd.DataFrame({"model_id": "small-measured", "gpu_id": "h100", "n_gpus": 1, "precision": "FP8",
                         "input_tokens": [i for i, _ in shapes], "output_tokens": [o for _, o in shapes],
                         "output_tokens_per_s": [o / TIMES.request_s(i, o) for i, o in shapes]})


def test_build_deployments_fits_the_measurements_and_labels_each():
    built = deploy.build_deployments([("small", "small-measured", "h100", 1, "FP8")], measurements(3), MODEL_CARDS, GPU_ROWS,
                                     {"small": (32, 8, 128)}, 1500, 500, 1.0)
    d = built["small", "h100"]
    assert d.label == "Small 8B on 1× H100 SXM"
    assert (d.input_tokens, d.output_tokens, d.n_gpus) == (1500, 500, 1)
    assert d.measured.input_s == pytest.approx(1e-5)
    assert d.measured.context_s == pytest.approx(1e-8)
    assert d.fit_error == pytest.approx(0, abs=1e-9)
    # The roofline is the one of roofline_for at a context of 1,500 + 500 // 2 tokens.
    assert d.roofline == deploy.roofline_for(8.0, "FP8", GPU_ROWS.iloc[0], 1, (32, 8, 128), 1750, 1.0)


def test_build_deployments_without_three_shapes_uses_the_roofline_only():
    built = deploy.build_deployments([("small", "small-measured", "h100", 1, "FP8")], measurements(2), MODEL_CARDS, GPU_ROWS,
                                     {"small": (32, 8, 128)}, 1500, 500, 1.0)
    d = built["small", "h100"]
    assert d.measured is None and d.basis == "roofline bound" and math.isnan(d.fit_error)
    # Measurements of another precision do not count either.
    other = measurements(3).assign(precision="FP16")
    assert deploy.build_deployments([("small", "small-measured", "h100", 1, "FP8")], other, MODEL_CARDS, GPU_ROWS,
                                    {"small": (32, 8, 128)}, 1500, 500, 1.0)["small", "h100"].measured is None


def test_build_deployments_rejects_a_repeat_and_a_missing_architecture():
    spec = ("small", "small-measured", "h100", 1, "FP8")
    with pytest.raises(ValueError, match="listed twice"):
        deploy.build_deployments([spec, spec], measurements(3), MODEL_CARDS, GPU_ROWS, {"small": (32, 8, 128)}, 1500, 500, 1.0)
    with pytest.raises(ValueError, match="no architecture"):
        deploy.build_deployments([spec], measurements(3), MODEL_CARDS, GPU_ROWS, {}, 1500, 500, 1.0)


def test_speed_table_lists_measured_then_roofline():
    both, roof_only = a_deployment(label="with fit", fit_error=0.05), a_deployment(measured=None, label="without")
    table = deploy.speed_table({("m", "g"): both, ("m", "g2"): roof_only})
    assert list(zip(table["deployment"], table["basis"])) == [("with fit", "measured"), ("with fit", "roofline bound"),
                                                            ("without", "roofline bound")]
    # Prefill 1 / 1e-5 tokens/s; decode 1 / (1e-4 + 1e-8 * 1,050) tokens/s; the fit's error in percent.
    assert table.loc[0, "prefill_tokens_per_s"] == pytest.approx(1e5)
    assert table.loc[0, "decode_tokens_per_s"] == pytest.approx(1 / 1.105e-4)
    assert table.loc[0, "worst_fit_error_pct"] == pytest.approx(5.0)
    assert table["worst_fit_error_pct"].iloc[1:].isna().all()


def test_cost_curves_one_row_per_period_deployment_and_utilisation():
    d, roof_only = a_deployment(label="d"), a_deployment(measured=None, label="r")
    curves = deploy.cost_curves({("m", "g"): d, ("m", "r"): roof_only}, {("then", "g"): 3.6, ("now", "g"): 1.8},
                                ["then", "now"], [0.5, 1.0])
    assert list(curves.columns) == ["period", "deployment", "basis", "utilisation", "usd_per_mtok"]
    assert list(curves["period"]) == ["then"] * 4 + ["now"] * 4
    assert list(curves["basis"][:4]) == ["measured", "measured", "roofline bound", "roofline bound"]
    np.testing.assert_allclose(curves["usd_per_mtok"][:2], [d.usd_per_mtok(3.6, 0.5), d.usd_per_mtok(3.6)])
    # Half the price, half the cost; and exactly what one call per point gives.
    assert curves["usd_per_mtok"].iloc[5] == d.usd_per_mtok(1.8, 1.0)


# --- API prices and GPU price ratios ---------------------------------------------------------------------------------

API_PRICES = price_rows(
    ("mini", "Lab", "mini-1", 0.15, 0.60, "2024-07-18", None, "high", "2024-07-18"),
    ("llama", "HostA", "llama-a", 0.10, 0.10, "2024-05-01", "2024-12-31", "high", "2024-05-01"),
    ("llama", "HostB", "llama-b", 0.05, 0.40, "2024-05-01", None, "high", "2024-05-01"),
    ("llama-3.1", "HostC", "llama31-c", 0.02, 0.05, "2025-01-01", None, "high", "2025-01-01"),
    ("other", "HostD", "other-d", 0.01, 0.01, "2024-05-01", None, "high", "2024-05-01"),
)
API_MODELS = pd.DataFrame({"model_id": ["mini", "llama", "llama-3.1", "other"], "name": ["Mini", "Llama", "Llama 3.1", "Other"],
                           "organisation": ["Lab", "Meta", "Meta", "X"], "tier": ["small"] * 4})


def test_api_price_table_by_hand():
    table = deploy.api_price_table(API_PRICES, API_MODELS, {"then": pd.Timestamp("2024-08-01"), "now": pd.Timestamp("2025-02-01")},
                                   "mini", {"llama": ("llama", "llama-3.1")}, output_share=0.25)
    then, now = table[table["period"] == "then"], table[table["period"] == "now"]
    assert list(then["offer"]) == ["Mini (Lab)", "hosted Llama"]
    assert then["blended"].iloc[0] == pytest.approx(0.2625)  # 0.75 * 0.15 + 0.25 * 0.60
    # In August A blends to $0.10 and B, cheaper on input, to 0.75 * 0.05 + 0.25 * 0.40 = $0.1375: A wins; two hosts.
    assert (then["seller"].iloc[1], then["blended"].iloc[1], then["hosts"].iloc[1]) == ("HostA", pytest.approx(0.10), 2)
    # In 2025 A has gone, and a Llama 3.1 host counts as the same model and is cheapest: 0.75 * 0.02 + 0.25 * 0.05.
    assert (now["seller"].iloc[1], now["blended"].iloc[1], now["hosts"].iloc[1]) == ("HostC", pytest.approx(0.0275), 2)
    assert np.isnan(then["hosts"].iloc[0])


def test_api_price_table_says_what_is_missing():
    with pytest.raises(ValueError, match="mini has no price from its maker on 2024-06-01"):
        deploy.api_price_table(API_PRICES, API_MODELS, {"early": "2024-06-01"}, "mini", {}, 0.25)
    with pytest.raises(ValueError, match="no host sells llama on 2024-08-01"):
        deploy.api_price_table(API_PRICES, API_MODELS, {"then": "2024-08-01"}, "mini", {"llama": ("llama-3.1",)}, 0.25)


def test_same_day_price_ratios_pair_rows_of_one_provider_kind_and_day():
    rows = pd.DataFrame({
        "provider": ["P", "P", "P", "Q", "Q"], "pricing_kind": ["on_demand"] * 5, "gpu_id": ["old", "new", "new", "old", "new"],
        "usd_per_gpu_hour": [1.5, 3.0, 2.5, 1.0, 4.0],
        "as_of": pd.to_datetime(["2024-07-01", "2024-07-01", "2024-07-01", "2024-07-01", "2024-08-01"])})
    ratios = deploy.same_day_price_ratios(rows, "old", "new")
    # P priced both on 1 July (the lower of its two new-card rows counts): 1.5 / 2.5; Q never priced both the same day.
    assert list(ratios["source"]) == ["P on_demand 2024-07-01"]
    assert ratios["ratio"].tolist() == [pytest.approx(0.6)]
    assert deploy.same_day_price_ratios(rows[rows["gpu_id"] == "old"], "old", "new").empty


# --- Monte Carlo and reporting ------------------------------------------------------------------------------------

def test_uniform_input_draws_are_seeded_and_taken_in_the_order_given():
    ranges = {"price": (1.0, 5.0), "fixed": (0, 30_000)}
    draws = deploy.uniform_input_draws(ranges, 1000, seed=7)
    again = deploy.uniform_input_draws(ranges, 1000, seed=7)
    np.testing.assert_array_equal(draws["price"], again["price"])
    # Exactly the draws of one generator, price first, then fixed cost.
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(draws["price"], rng.uniform(1.0, 5.0, 1000))
    np.testing.assert_array_equal(draws["fixed"], rng.uniform(0.0, 30_000.0, 1000))
    assert draws["price"].min() >= 1.0 and draws["price"].max() < 5.0
    swapped = deploy.uniform_input_draws({"fixed": (0, 30_000), "price": (1.0, 5.0)}, 1000, seed=7)
    assert not np.array_equal(swapped["price"], draws["price"])


def test_uniform_input_draws_reject_a_reversed_range_and_no_draws():
    with pytest.raises(ValueError, match="reversed"):
        deploy.uniform_input_draws({"u": (0.8, 0.2)}, 10, seed=1)
    with pytest.raises(ValueError, match="n_draws"):
        deploy.uniform_input_draws({"u": (0.2, 0.8)}, 0, seed=1)


def test_percentiles_keep_never_as_never_and_skip_undefined_draws():
    volumes = [1e9, 2e9, 3e9, np.inf, np.inf]
    p10, p50, p90 = deploy.percentiles(volumes)
    assert (p10, p50) == (1e9, 3e9)  # no interpolation: draws themselves
    assert math.isinf(p90)  # linear interpolation would give NaN between 3e9 and inf
    np.testing.assert_array_equal(deploy.percentiles([1.0, np.nan, 3.0, 2.0], (50,)), [2.0])  # NaN: undefined, left out


def test_log10_volume_histogram_counts_only_finite_volumes():
    histogram = deploy.log10_volume_histogram([1e9, 1e10, 1e10, np.inf], bins=2)
    assert list(histogram.columns) == ["log10_tokens_from", "log10_tokens_to", "draws"]
    assert histogram["draws"].tolist() == [1, 2]
    assert (histogram["log10_tokens_from"].iloc[0], histogram["log10_tokens_to"].iloc[-1]) == (9.0, 10.0)
    with pytest.raises(ValueError, match="no finite"):
        deploy.log10_volume_histogram([np.inf], bins=2)


def test_tokens_in_words():
    assert deploy.tokens_in_words(1.05e10) == "10.5 billion"
    assert deploy.tokens_in_words(2.04e12) == "2.0 trillion"
    assert deploy.tokens_in_words(3.2e6) == "3.2 million"
    assert deploy.tokens_in_words(999_999) == "999,999"
    assert deploy.tokens_in_words(np.float64(np.inf)) == "never"
    with pytest.raises(ValueError, match="non-negative"):
        deploy.tokens_in_words(np.nan)
    with pytest.raises(ValueError, match="non-negative"):
        deploy.tokens_in_words(-1)
