"""The demand models against closed forms and cases worked by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from llmecon import demand, deploy


# Constant elasticity ----------------------------------------------------------------------------------------------

def test_constant_elasticity_quantity_and_revenue():
    # A price cut to a quarter at elasticity 2 sells 16 times the tokens and earns 4 times the revenue.
    assert demand.quantity_ratio(0.25, 2.0) == pytest.approx(16.0)
    assert demand.revenue_ratio(0.25, 2.0) == pytest.approx(4.0)
    # At elasticity 1 revenue is unchanged whatever the cut; below 1 a cut loses revenue.
    np.testing.assert_allclose(demand.revenue_ratio(np.array([0.04, 0.35, 0.9]), 1.0), 1.0)
    assert demand.revenue_ratio(0.04, 0.5) == pytest.approx(0.2)


def test_profit_ratio_by_hand():
    # $10 at cost $2 (margin 8) replaced by $1 at cost $0.2 (margin 0.8): a tenth of the margin, so profit is
    # unchanged when tokens sold rise tenfold, i.e. at elasticity 1 for a tenfold cut.
    assert demand.profit_ratio(10, 2, 1, 0.2, 1.0) == pytest.approx(1.0)
    # Margin 8 -> 0.5 (cost 0.5): profit neutral needs 16x the tokens: 10^e = 16.
    assert demand.profit_ratio(10, 2, 1, 0.5, math.log(16) / math.log(10)) == pytest.approx(1.0)


def test_profit_neutral_elasticity_closed_form_and_limits():
    assert demand.profit_neutral_elasticity(10, 2, 1, 0.5) == pytest.approx(math.log(16) / math.log(10))
    # No costs: the revenue-neutral elasticity, 1 for any cut.
    np.testing.assert_allclose(demand.profit_neutral_elasticity(np.array([7.5, 0.75]), 0, 0.2625, 0), 1.0)
    # The elasticity it returns does leave profit unchanged.
    e = demand.profit_neutral_elasticity(7.5, 0.4, 0.2625, 0.05)
    assert demand.profit_ratio(7.5, 0.4, 0.2625, 0.05, e) == pytest.approx(1.0)
    # A new price below its cost: no elasticity restores profit. An old product at a loss: undefined.
    assert demand.profit_neutral_elasticity(7.5, 0.4, 0.2625, 0.3) == math.inf
    assert math.isnan(demand.profit_neutral_elasticity(0.75, 1.0, 0.2625, 0.05))
    with pytest.raises(ValueError, match="price change"):
        demand.profit_neutral_elasticity(1.0, 0, 1.0, 0)


# Logit -----------------------------------------------------------------------------------------------------------

def test_generalised_cost_adds_shortfall_only_below_need():
    cost = demand.generalised_cost(np.array([0.3, 0.1]), np.array([82.0, 68.5]), np.array([[75.0]]), 0.05, np.array([0.0, -0.02]))
    np.testing.assert_allclose(cost, [[0.3, 0.1 + 0.05 * 6.5 + 0.02]])


def test_logit_shares_closed_form():
    cost = np.array([[0.2, 0.5]])
    shares = demand.choice_shares(cost, np.array([[1.0]]), 4.0)
    weights = np.exp(4.0 * (1.0 - np.array([0.2, 0.5])))
    np.testing.assert_allclose(shares, [weights / (1 + weights.sum())])
    # Shares of the options and of doing without add up to one, and stay finite at extreme utilities.
    extreme = demand.choice_shares(np.array([[0.0, 1e-3]]), np.array([[1e4]]), 1e3)
    assert np.isfinite(extreme).all() and extreme.sum() == pytest.approx(1.0)


def test_logit_own_and_cross_price_elasticities_match_closed_forms():
    prices = np.array([0.26, 0.53, 0.06])
    beta, value = 6.0, np.array([[0.9]])
    shares = demand.choice_shares(prices[None, :], value, beta)
    s = shares[0]
    for j in range(3):
        own = np.zeros(3)
        own[j] = prices[j]
        assert demand.demand_elasticity(shares, np.ones((1, 1)), beta, j, own[None, :]) == pytest.approx(-beta * prices[j] * (1 - s[j]))
        for k in set(range(3)) - {j}:
            cross = np.zeros(3)
            cross[k] = prices[k]
            assert demand.demand_elasticity(shares, np.ones((1, 1)), beta, j, cross[None, :]) == pytest.approx(beta * prices[k] * s[k])


def test_aggregate_elasticity_matches_finite_difference():
    rng = np.random.default_rng(1)
    prices = np.array([0.26, 0.53, 0.06])
    need = rng.uniform(60, 85, (50, 1))
    quality = np.array([82.0, 78.9, 68.5])
    value = rng.lognormal(0, 1, (50, 1))
    volumes = rng.lognormal(20, 1, (50, 1))
    beta = 5.0

    def demand_for(price_of_first):
        p = prices.copy()
        p[0] = price_of_first
        shares = demand.choice_shares(demand.generalised_cost(p, quality, need, 0.05), value, beta)
        return (shares[:, 0] * volumes[:, 0]).sum(), shares

    base, shares = demand_for(prices[0])
    step = 1e-6
    numeric = (math.log(demand_for(prices[0] * math.exp(step))[0]) - math.log(demand_for(prices[0] * math.exp(-step))[0])) / (2 * step)
    change = np.zeros(3)
    change[0] = prices[0]
    assert demand.demand_elasticity(shares, volumes, beta, 0, change) == pytest.approx(numeric, rel=1e-5)


def test_elasticity_broadcasts_over_draws():
    prices = np.array([0.26, 0.53])
    shares = demand.choice_shares(np.broadcast_to(prices, (3, 1, 2)), np.ones((3, 1, 1)), np.array([2.0, 4.0, 8.0])[:, None, None])
    change = np.array([prices[0], 0.0])
    result = demand.demand_elasticity(shares, np.ones((3, 1, 1)), np.array([2.0, 4.0, 8.0])[:, None, None], 0, change)
    np.testing.assert_allclose(result, -np.array([2.0, 4.0, 8.0]) * prices[0] * (1 - shares[:, 0, 0]))


def test_large_beta_tends_to_the_cheapest_adequate_option():
    prices = np.array([0.26, 0.53, 0.06])
    quality = np.array([82.0, 78.9, 68.5])
    need = np.array([[60.0], [75.0], [81.0], [90.0]])
    value = np.full((4, 1), 5.0)
    cost = demand.generalised_cost(prices, quality, need, 10.0)  # a shortfall costs far more than any price gap
    limit = demand.choice_shares(cost, value, np.inf)
    # The 8B-class option is adequate for a need of 60 only; 75 and 81: only the 82-point one is adequate and it is
    # cheaper than 78.9 points plus the shortfall; 90: no option is adequate, and a shortfall costs more than the
    # tokens are worth, so that user does without.
    np.testing.assert_array_equal(limit, [[0, 0, 1], [1, 0, 0], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(demand.choice_shares(cost, value, 500.0), limit, atol=1e-6)
    # A user who values tokens below every option's cost does without; ties are shared.
    assert demand.choice_shares(np.array([[1.0, 2.0]]), np.array([[0.5]]), np.inf).sum() == 0
    np.testing.assert_allclose(demand.choice_shares(np.array([[1.0, 1.0]]), np.array([[2.0]]), np.inf), [[0.5, 0.5]])
    with pytest.raises(ValueError, match="beta"):
        demand.choice_shares(cost, value, 0.0)


def test_volume_shares_weigh_users_by_tokens():
    shares = np.array([[1.0, 0.0], [0.0, 0.5]])
    volumes = np.array([[3.0], [1.0]])
    np.testing.assert_allclose(demand.volume_shares(shares, volumes), [0.75, 0.125])


def test_bisect_finds_each_root_and_clips_without_a_sign_change():
    targets = np.array([0.2, 0.5, 2.0])
    root = demand.bisect(lambda x: targets - x / 10, np.zeros(3), np.full(3, 10.0), iterations=40)
    np.testing.assert_allclose(root, [2.0, 5.0, 10.0], atol=1e-9)


# Draws -------------------------------------------------------------------------------------------------------------

def test_uniform_draws_are_seeded_in_range_and_order_independent():
    a = demand.uniform_draws(np.random.default_rng(7), {"b": (1, 2), "a": (0, 1)}, 100)
    b = demand.uniform_draws(np.random.default_rng(7), {"a": (0, 1), "b": (1, 2)}, 100)
    np.testing.assert_array_equal(a["a"], b["a"])
    assert a["b"].min() >= 1 and a["b"].max() <= 2
    # Stratified: each tenth of the range holds exactly a tenth of the draws.
    np.testing.assert_array_equal(np.histogram(a["a"], bins=10, range=(0, 1))[0], np.full(10, 10))
    with pytest.raises(ValueError, match="reversed"):
        demand.uniform_draws(np.random.default_rng(7), {"a": (1, 0)}, 3)


def test_lognormal_users():
    np.testing.assert_allclose(demand.lognormal_users(np.array([-1.0, 0.0, 1.0]), 1e9, 1.0), [1e8, 1e9, 1e10])


def test_effective_cost_is_the_api_price_or_the_self_hosting_bill_per_token():
    volumes = np.array([[1e9], [1e11]])
    api = np.array([0.26, np.nan])
    # Self-hosting at $0.05/Mtok on a $2,000-a-month replica with $1,000 fixed: 1e9 tokens pay the whole replica
    # ($3,000 / 1,000 Mtok = $3/Mtok); 1e11 tokens fill 2.5 replicas ($5,000 + $1,000 over 100,000 Mtok).
    cost = demand.effective_usd_per_mtok(volumes, api, np.array([np.nan, 0.05]), np.array([np.nan, 2000.0]), 1000.0)
    np.testing.assert_allclose(cost, [[0.26, 3.0], [0.26, 0.06]])


def test_stratified_normal_has_every_slice_once():
    z = demand.stratified_normal(np.random.default_rng(3), (2, 1000))
    assert z.shape == (2, 1000)
    np.testing.assert_allclose(np.sort(z[0]), np.sort(z[1]))
    assert abs(z.mean()) < 1e-12 and np.std(z[0]) == pytest.approx(1.0, abs=0.01)
    assert not np.array_equal(z[0], z[1])


def test_max_over_options_is_numpys_max_including_nan():
    rng = np.random.default_rng(5)
    for n in (1, 2, 9, 13):
        a = rng.normal(size=(4, 6, n))
        a[0, 0, -1] = np.nan
        np.testing.assert_array_equal(demand._max_over_options(a), a.max(axis=-1, keepdims=True))


def test_profit_ratio_band_leaves_out_draws_where_the_old_product_lost_money():
    # Old $10, new $1; three cost draws, the third with the old product at a loss (cost 12 > 10).
    band = demand.profit_ratio_band(10.0, np.array([2.0, 6.0, 12.0]), 1.0, np.array([0.2, 0.2, 0.2]), [0.0, 1.0], qs=(0, 100))
    # Elasticity 0: (1 - 0.2) / (10 - c0), i.e. 0.1 and 0.2; elasticity 1: ten times that.
    np.testing.assert_allclose(band, [[0.1, 1.0], [0.2, 2.0]])


# The small-tier market ---------------------------------------------------------------------------------------------

MODELS = pd.DataFrame({"model_id": ["closed-a", "open-b", "dear-c", "new-d", "unscored-e"],
                       "name": ["A", "B", "C", "D", "E"], "organisation": ["Lab", "Meta", "Lab", "Lab", "Lab"],
                       "open_weights": [False, True, False, False, False]})
MMLU = pd.Series({"closed-a": 82.0, "open-b": 68.5, "dear-c": 88.0})


def offers(**usd):
    """One day's cheapest offers: model id -> (input, output) USD/Mtok."""
    rows = pd.DataFrame([{"model_id": m, "seller": "Host" if m == "open-b" else "Lab", "input_usd_per_mtok": i, "output_usd_per_mtok": o}
                         for m, (i, o) in usd.items()])
    return rows.merge(MODELS[["model_id", "name", "organisation"]], on="model_id")


LAUNCH_OFFERS = offers(**{"closed-a": (0.15, 0.6), "open-b": (0.2, 0.2), "dear-c": (3.0, 15.0), "new-d": (0.1, 0.4),
                          "unscored-e": (0.1, 0.1)})


def choice_set(offers_of_day=LAUNCH_OFFERS, extra=()):
    return demand.small_tier_choice_set(offers_of_day, MODELS, MMLU, ["open-b"], 1.0, 0.25, {"new-d": "closed-a"}, 3.0, extra)


def test_choice_set_keeps_cheap_scored_offers_and_adds_the_self_hosted_models():
    options = choice_set()
    # Blended at a quarter output: A 0.75 * 0.15 + 0.25 * 0.6 = 0.2625; B 0.2; C 6.0 (above the $1 cap); D 0.175, scored
    # as its predecessor A plus 3 points; E has no score and no predecessor.
    assert list(options["option"]) == ["A", "B", "D", "B (self-hosted)"]
    np.testing.assert_allclose(options["blended"], [0.2625, 0.2, 0.175, np.nan])
    np.testing.assert_array_equal(options["mmlu"], [82.0, 68.5, 85.0, 68.5])
    assert list(options["kind"]) == ["closed API", "hosted open", "closed API", "self-hosted open"]
    assert options.loc[3, "seller"] == "self-hosted (H100)" and options.loc[3, "organisation"] == "Meta"
    assert list(options.columns) == demand.OPTION_COLUMNS
    # An expensive model joins when named in extra.
    assert "C" in set(choice_set(extra=["dear-c"])["option"])


def test_choice_set_is_of_one_day():
    two_days = pd.concat([LAUNCH_OFFERS.assign(date=pd.Timestamp("2024-07-18")), LAUNCH_OFFERS.assign(date=pd.Timestamp("2024-08-12"))])
    with pytest.raises(ValueError, match="one day"):
        choice_set(two_days)
    assert len(choice_set(two_days[two_days["date"] == pd.Timestamp("2024-08-12")])) == 4


def test_with_moves_replaces_the_movers_and_keeps_self_hosting():
    options = choice_set()
    cut = choice_set(offers(**{"closed-a": (0.15, 0.6), "open-b": (0.1, 0.1)}))  # B's hosts halve its price
    launch = choice_set(offers(**{"dear-c": (0.3, 1.5)}), extra=["dear-c"])  # C sold for a tenth
    moved = demand.with_moves(options, [(cut, ["open-b"]), (launch, ["dear-c"])])
    assert list(moved["option"]) == ["A", "D", "B (self-hosted)", "B", "C"]
    np.testing.assert_allclose(moved["blended"], [0.2625, 0.175, np.nan, 0.1, 0.6])
    assert moved.index.tolist() == list(range(5))


def test_cheapest_by_level_per_day_first_of_ties_and_no_row_when_unreached():
    day1, day2 = pd.Timestamp("2024-07-18"), pd.Timestamp("2025-01-01")
    both = pd.concat([LAUNCH_OFFERS.assign(date=day1),
                      offers(**{"dear-c": (0.15, 0.6), "closed-a": (0.15, 0.6)}).assign(date=day2)], ignore_index=True)
    best = demand.cheapest_by_level(both, MMLU, [70, 82, 85, 90], 0.25)  # A scores exactly 82: it counts at that level
    assert list(zip(best["date"], best["level"], best["name"])) == [
        (day1, 70, "A"), (day1, 82, "A"), (day1, 85, "C"), (day2, 70, "C"), (day2, 82, "C"), (day2, 85, "C")]
    np.testing.assert_allclose(best["blended"], [0.2625, 0.2625, 6.0, 0.2625, 0.2625, 0.2625])


TIMES = {"open-b": (deploy.TokenTimes(1e-4, 1e-3), 2)}


def test_self_hosting_costs_are_the_deployment_models():
    hosting = demand.SelfHosting(TIMES, 1500, 500)
    assert hosting.usd_per_mtok("open-b", 2.0, 0.5) == pytest.approx(
        float(deploy.self_hosted_usd_per_mtok(TIMES["open-b"][0], 2.0, 2, 1500, 500, 0.5)))
    # Two GPUs at $2 an hour for a 730-hour month.
    assert hosting.replica_usd_per_month("open-b", 2.0) == pytest.approx(2 * 2.0 * 730)


def population(n_users=3, u_need=0.0):
    z = np.linspace(-1, 1, n_users)[None, :, None]
    return demand.Population(z, np.zeros_like(z), u_need * z, 1.0, 0.5, 8.0)


def draws(n=1, **values):
    defaults = {"beta": 10.0, "shortfall": 0.05, "need_mean": 75.0, "log10_volume": 9.0, "log10_value": 0.0,
                "gpu": 2.0, "util": 0.5, "fixed": 1000.0}
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (n, 1, 1)) for k, v in {**defaults, **values}.items()}


def test_population_scales_fixed_scores_by_each_draws_assumptions():
    volume, value, need = population(u_need=1.0).users(draws(2, log10_volume=[[[8.0]], [[10.0]]]))
    np.testing.assert_allclose(volume[:, :, 0], [[1e7, 1e8, 1e9], [1e9, 1e10, 1e11]])
    np.testing.assert_allclose(value, 1.0)
    np.testing.assert_allclose(need[..., 0], [[67.0, 75.0, 83.0]] * 2)  # 8 points either side of the centre, in each draw


def test_option_costs_api_flat_self_hosting_falls_with_volume():
    hosting = demand.SelfHosting(TIMES, 1500, 500)
    options = choice_set()
    volume = np.array([1e6, 1e13])[None, :, None]
    cost, gpu_part = demand.option_costs(volume, options, hosting, draws())
    np.testing.assert_allclose(cost[..., :3], np.broadcast_to([0.2625, 0.2, 0.175], (1, 2, 3)))
    assert not gpu_part[..., :3].any()
    # A small user pays the whole replica ($2,920) plus the fixed $1,000 for 1 Mtok; a huge one the cost per token.
    replica = hosting.replica_usd_per_month("open-b", 2.0)
    per_token = float(hosting.usd_per_mtok("open-b", 2.0, 0.5))
    np.testing.assert_allclose(cost[0, :, 3], [replica + 1000.0, per_token + 1000.0 / 1e7])
    np.testing.assert_allclose(gpu_part[0, :, 3], [replica, per_token])
    # Halving GPU prices halves the GPU part.
    np.testing.assert_allclose(demand.option_costs(volume, options, hosting, draws(), gpu_factor=0.5)[1], gpu_part / 2)


def market(shocks=demand.Shocks(), **values):
    return demand.build_market(choice_set(), draws(**values), population(), demand.SelfHosting(TIMES, 1500, 500), shocks)


def test_build_market_applies_shocks_to_their_targets_only():
    plain = market()
    assert plain.general.shape == (1, 3, 4) and plain.is_open.tolist() == [False, True, False, True]
    repriced = market(demand.Shocks(price_factors={"closed-a": 0.5}))
    np.testing.assert_allclose(repriced.price[:3], [0.13125, 0.2, 0.175])
    np.testing.assert_allclose(repriced.general[..., 0] - plain.general[..., 0], -0.13125)
    np.testing.assert_array_equal(repriced.general[..., 1:], plain.general[..., 1:])
    # Open weights gain 4.5 points: a need of 90 is 21.5 points above B's 68.5, so B's shortfall charge (hosted or
    # self-hosted) falls by 4.5 * 0.05, while the closed options A and D, short of the need too, are unchanged.
    needy, better = market(need_mean=90.0), market(demand.Shocks(quality_gain=4.5), need_mean=90.0)
    np.testing.assert_allclose(needy.general[..., [1, 3]] - better.general[..., [1, 3]], 4.5 * 0.05)
    np.testing.assert_array_equal(better.general[..., [0, 2]], needy.general[..., [0, 2]])
    cheap_gpus = market(demand.Shocks(gpu_factor=0.5))
    np.testing.assert_allclose(cheap_gpus.gpu_part, plain.gpu_part / 2)


def test_choose_shares_tokens_and_open_share_agree():
    chosen = market().choose(np.full((1, 1, 1), 0.1))
    np.testing.assert_allclose(chosen.tokens.sum(-1), chosen.bought)
    np.testing.assert_allclose(chosen.open_share, chosen.tokens[:, [1, 3]].sum(-1) / chosen.bought)
    assert chosen.share_of_bought(1) == pytest.approx(chosen.share_of_bought(np.array([False, True, False, False]))[0])
    assert chosen.share_of_bought(np.ones(4, dtype=bool)) == pytest.approx(1.0)
    # Volumes weigh the users: the largest user's choices dominate the tokens.
    volume = population().users(draws())[0]
    np.testing.assert_allclose(chosen.tokens, demand.volume_shares(chosen.shares, volume))


def test_a_price_shift_moves_one_option_and_demand_falls_with_its_price():
    m = market()
    np.testing.assert_allclose(m.price_shift(0, 1.5), [0.13125, 0.0, 0.0, 0.0])
    hassle = np.zeros((1, 1, 1))
    served = demand.tokens_at_prices(m, hassle, 0, [0.5, 1.0, 2.0])
    assert served.shape == (3, 1) and (np.diff(served[:, 0]) < 0).all()
    assert served[1, 0] == m.choose(hassle).tokens[0, 0]


def two_option_market(beta=2.0, volumes=(1e9,)):
    """Users who value tokens at $10 per million choosing a closed API at $1 or open weights at $0.5 (USD/Mtok)."""
    options = pd.DataFrame({"model_id": ["closed", "open"], "kind": ["closed API", "hosted open"], "blended": [1.0, 0.5]})
    n = len(volumes)
    return demand.Market(options, np.tile([1.0, 0.5], (1, n, 1)), np.reshape(volumes, (1, n, 1)), np.full((1, n, 1), 10.0),
                         np.array([False, True]), np.zeros((1, n, 2)), np.array([1.0, 0.5]), np.full((1, 1, 1), beta))


def test_calibrated_hassle_hits_the_target_share_by_hand():
    # The open share of one user's purchases is 1 / (1 + exp(beta (0.5 + h - 1))): a target t needs
    # h = 0.5 + ln((1 - t) / t) / beta.
    m = two_option_market(beta=2.0)
    targets = np.array([0.2, 0.5, 0.9])
    many = demand.Market(m.options, np.broadcast_to(m.general, (3, 1, 2)), *(np.broadcast_to(x, (3, 1, 1)) for x in (m.volume, m.value)),
                         m.is_open, np.zeros((3, 1, 2)), m.price, np.full((3, 1, 1), 2.0))
    hassle = demand.calibrate_hassle(many, targets, low=-5.0, high=5.0, iterations=40)
    assert hassle.shape == (3, 1, 1)
    np.testing.assert_allclose(hassle[:, 0, 0], 0.5 + np.log((1 - targets) / targets) / 2.0, atol=1e-9)
    np.testing.assert_allclose(many.choose(hassle).open_share, targets, atol=1e-9)
    # A target out of reach within the search range returns its nearer end.
    assert demand.calibrate_hassle(m, np.array([0.999999]), low=-1.0, high=3.0)[0, 0, 0] == pytest.approx(-1.0, abs=1e-3)


def test_most_profitable_price_by_hand():
    # The user's tokens are worth $10 per million and cost $0.9 to serve; open weights are out of the running. In the
    # cheapest-adequate limit she buys at any price below $10, so the dearest such multiple of the $1 price wins:
    # 9.9 ($9.0 a Mtok) over 9 ($8.1), while at 12 she does without.
    hassle, factors, serving = np.full((1, 1, 1), 100.0), [9.0, 9.9, 12.0], np.array([0.9])
    assert demand.most_profitable_price_factor(two_option_market(np.inf), hassle, 0, factors, serving)[0] == 9.9
    # A logit buyer (beta 2) is lost gradually: she buys with probability 1 / (1 + e^(-2 (10 - p))), 0.881 at $9
    # ($7.14 a Mtok) but 0.550 at $9.9 ($4.95), so 9 wins.
    assert demand.most_profitable_price_factor(two_option_market(2.0), hassle, 0, factors, serving)[0] == 9.0


def test_revenue_and_profit_of_a_seller_by_hand():
    # Two users of 1,000 and 3,000 Mtok a month both take the closed API at $1 (served at $0.25): per user on average,
    # 2,000 Mtok, $2,000 of revenue and $1,500 of gross profit; every user buys.
    m = two_option_market(beta=np.inf, volumes=(1e9, 3e9))
    chosen = m.choose(np.full((1, 1, 1), 100.0))
    revenue, profit, users = demand.revenue_and_profit(m, chosen, [True, False], {"closed": np.array([0.25])})
    np.testing.assert_allclose([revenue[0], profit[0], users[0]], [2000.0, 1500.0, 1.0])
    assert chosen.share_of_bought(0)[0] == 1.0 and chosen.share_of_bought(np.array([False, True]))[0] == 0.0
