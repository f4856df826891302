"""The rules' arithmetic (thresholds.py), against integer cross-multiplication: property tests
over random electorates and votes, and the exact boundaries ("at least 2/3" holds at 2/3, one
short fails; "more than half" fails at half and holds one above; "at least 3/4" holds at 3/4).
No database."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from linju.deliberation import thresholds as t

CENT = Decimal("0.01")
FAST = settings(max_examples=300, deadline=None)


def opt(i, heads, area, approves=False, label=None):
    return t.OptionTotal(
        id=i, label=label or f"o{i}", heads=heads, area=Decimal(area), approves=approves
    )


def owners(heads, area, yes, no=(0, 0), abstain=(0, 0), affected=0, affected_yes=0):
    """Totals of an owners' ballot: (heads, area) per option, areas as Decimal text."""
    return t.Totals(
        electorate_heads=heads,
        electorate_area=Decimal(area),
        options=(
            opt(1, yes[0], yes[1], approves=True),
            opt(2, no[0], no[1]),
            opt(3, abstain[0], abstain[1]),
        ),
        affected=affected,
        affected_approving=affected_yes,
    )


def measures(result):
    return {line.measure: line.ok for line in result.lines}


# --- Strategies ---------------------------------------------------------------------------------


@st.composite
def ballots(draw):
    """An electorate (heads, area in cents) and votes for approve / against / abstain, each
    option's heads and area a part of what is left."""
    heads = draw(st.integers(1, 400))
    area_cents = draw(st.integers(1, 10**8))
    counts, areas = [], []
    left_heads, left_area = heads, area_cents
    for _ in range(3):
        h = draw(st.integers(0, left_heads))
        a = draw(st.integers(0, left_area)) if h else 0
        counts.append(h)
        areas.append(a)
        left_heads -= h
        left_area -= a
    totals = t.Totals(
        electorate_heads=heads,
        electorate_area=Decimal(area_cents) * CENT,
        options=tuple(
            opt(i + 1, counts[i], Decimal(areas[i]) * CENT, approves=i == 0) for i in range(3)
        ),
    )
    return totals, heads, area_cents, counts, areas


# --- Property tests -------------------------------------------------------------------------------


@FAST
@given(ballots())
def test_ordinary_matches_cross_multiplication(b):
    totals, heads, area, counts, areas = b
    part_h, part_a = sum(counts), sum(areas)
    expected = (
        3 * part_a >= 2 * area
        and 3 * part_h >= 2 * heads
        and part_a > 0
        and 2 * areas[0] > part_a
        and part_h > 0
        and 2 * counts[0] > part_h
    )
    result = t.evaluate(t.Spec(t.ORDINARY), totals)
    assert result.passed is expected
    ok = measures(result)
    assert ok[t.PARTICIPATING_AREA] is (3 * part_a >= 2 * area)
    assert ok[t.PARTICIPATING_HEADS] is (3 * part_h >= 2 * heads)
    assert ok[t.APPROVING_AREA] is (part_a > 0 and 2 * areas[0] > part_a)
    assert ok[t.APPROVING_HEADS] is (part_h > 0 and 2 * counts[0] > part_h)


@FAST
@given(ballots())
def test_special_matches_cross_multiplication(b):
    totals, heads, area, counts, areas = b
    part_h, part_a = sum(counts), sum(areas)
    expected = (
        3 * part_a >= 2 * area
        and 3 * part_h >= 2 * heads
        and part_a > 0
        and 4 * areas[0] >= 3 * part_a
        and part_h > 0
        and 4 * counts[0] >= 3 * part_h
    )
    assert t.evaluate(t.Spec(t.SPECIAL), totals).passed is expected


@FAST
@given(ballots(), st.integers(1, 20), st.integers(0, 20))
def test_elevator_needs_every_affected_owner(b, affected, consenting):
    totals = b[0]
    consenting = min(consenting, affected)
    totals = t.Totals(
        electorate_heads=totals.electorate_heads,
        electorate_area=totals.electorate_area,
        options=totals.options,
        affected=affected,
        affected_approving=consenting,
    )
    ordinary = t.evaluate(t.Spec(t.ORDINARY), totals).passed
    result = t.evaluate(t.Spec(t.ELEVATOR), totals)
    assert result.passed is (ordinary and consenting == affected)
    assert measures(result)[t.AFFECTED_CONSENT] is (consenting == affected)


@FAST
@given(ballots())
def test_simple_majority_of_votes_cast(b):
    totals, _heads, _area, counts, _areas = b
    cast = sum(counts)
    # Abstentions (option 3) are votes cast: they take part without approving.
    assert t.evaluate(t.Spec(t.SIMPLE), totals).passed is (cast > 0 and 2 * counts[0] > cast)


@FAST
@given(
    ballots(),
    st.integers(0, 12),
    st.integers(1, 12),
    st.integers(1, 12),
    st.integers(1, 12),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_custom_matches_cross_multiplication(b, pn, pd, an, ad, strict, of_electorate, area):
    totals, heads, area_c, counts, areas = b
    pn, an = min(pn, pd), min(an, ad)
    spec = t.Spec(
        t.CUSTOM,
        participation=Fraction(pn, pd),
        approval=Fraction(an, ad),
        approval_strict=strict,
        approval_of_electorate=of_electorate,
        weigh_area=area,
    )
    part_h, part_a = sum(counts), sum(areas)

    def at_least(n, d, fn, fd):  # n/d ≥ fn/fd, never for an empty base
        return d > 0 and n * fd >= fn * d

    def more_than(n, d, fn, fd):
        return d > 0 and n * fd > fn * d

    approve = more_than if strict else at_least
    base_h = heads if of_electorate else part_h
    base_a = area_c if of_electorate else part_a
    expected = approve(counts[0], base_h, an, ad)
    if area:
        expected = expected and approve(areas[0], base_a, an, ad)
    if pn:
        expected = expected and at_least(part_h, heads, pn, pd)
        if area:
            expected = expected and at_least(part_a, area_c, pn, pd)
    assert t.evaluate(spec, totals).passed is expected


@FAST
@given(st.lists(st.integers(0, 50), min_size=2, max_size=6))
def test_candidates_win_with_more_than_half(counts):
    totals = t.Totals(
        electorate_heads=sum(counts) + 1,
        electorate_area=0,
        options=tuple(opt(i, c, 0) for i, c in enumerate(counts)),
    )
    result = t.evaluate(t.Spec(t.SIMPLE), totals)
    top = max(counts)
    assert result.passed is (2 * top > sum(counts))
    if result.passed:
        assert result.winner == counts.index(top)
    else:
        assert result.winner is None


@FAST
@given(ballots(), st.sampled_from(t.RULES))
def test_result_survives_json(b, rule):
    import json

    totals = b[0]
    if rule == t.ELEVATOR:
        totals = t.Totals(
            electorate_heads=totals.electorate_heads,
            electorate_area=totals.electorate_area,
            options=totals.options,
            affected=2,
            affected_approving=1,
        )
    result = t.evaluate(t.Spec(rule), totals)
    again = t.Result.from_dict(json.loads(json.dumps(result.as_dict())))
    assert again.passed == result.passed
    assert again.lines == result.lines
    assert again.totals == result.totals
    assert [t.describe(x) for x in again.lines] == [t.describe(x) for x in result.lines]


# --- Exact boundaries -----------------------------------------------------------------------------


def test_participation_exactly_two_thirds_passes_one_short_fails():
    # 300 owners, 30,000.00 m²: exactly 200 owners with exactly 20,000.00 m² take part.
    at = owners(300, "30000.00", yes=(150, "15000.00"), no=(50, "5000.00"))
    result = t.evaluate(t.Spec(t.ORDINARY), at)
    assert measures(result) == {
        t.PARTICIPATING_AREA: True,
        t.PARTICIPATING_HEADS: True,
        t.APPROVING_AREA: True,
        t.APPROVING_HEADS: True,
    }
    assert result.passed
    # One owner fewer (199 of 300) fails the headcount, whatever the area.
    short_heads = owners(300, "30000.00", yes=(149, "15000.00"), no=(50, "5000.00"))
    assert measures(t.evaluate(t.Spec(t.ORDINARY), short_heads))[t.PARTICIPATING_HEADS] is False
    # One cent less area (19,999.99 of 30,000.00) fails the area.
    short_area = owners(300, "30000.00", yes=(150, "14999.99"), no=(50, "5000.00"))
    result = t.evaluate(t.Spec(t.ORDINARY), short_area)
    assert measures(result)[t.PARTICIPATING_AREA] is False and not result.passed


def test_approval_exactly_half_fails_just_above_passes():
    # Everyone takes part; approvals are exactly half of the heads.
    half = owners(100, "10000.00", yes=(50, "6000.00"), no=(50, "4000.00"))
    result = t.evaluate(t.Spec(t.ORDINARY), half)
    assert measures(result)[t.APPROVING_HEADS] is False and not result.passed
    above = owners(101, "10000.00", yes=(51, "6000.00"), no=(50, "4000.00"))
    assert t.evaluate(t.Spec(t.ORDINARY), above).passed
    # Exactly half of the area fails too, one cent more passes.
    area_half = owners(3, "300.00", yes=(2, "150.00"), no=(1, "150.00"))
    assert measures(t.evaluate(t.Spec(t.ORDINARY), area_half))[t.APPROVING_AREA] is False
    area_above = owners(3, "300.00", yes=(2, "150.01"), no=(1, "149.99"))
    assert t.evaluate(t.Spec(t.ORDINARY), area_above).passed


def test_three_quarters_is_inclusive():
    at = owners(4, "400.00", yes=(3, "300.00"), no=(1, "100.00"))
    assert t.evaluate(t.Spec(t.SPECIAL), at).passed
    below = owners(4, "400.00", yes=(3, "299.99"), no=(1, "100.01"))
    result = t.evaluate(t.Spec(t.SPECIAL), below)
    assert measures(result)[t.APPROVING_AREA] is False and not result.passed
    # What ORDINARY passes (approval 2/3 > 1/2), SPECIAL refuses.
    two_thirds = owners(3, "300.00", yes=(2, "200.00"), no=(1, "100.00"))
    assert t.evaluate(t.Spec(t.ORDINARY), two_thirds).passed
    assert not t.evaluate(t.Spec(t.SPECIAL), two_thirds).passed


def test_abstentions_take_part_but_do_not_approve():
    # 10 owners: 4 approve, 3 abstain, 0 against; 7 take part (≥ 2/3) but 4/7 approve.
    totals = owners(10, "1000.00", yes=(4, "400.00"), abstain=(3, "300.00"))
    result = t.evaluate(t.Spec(t.ORDINARY), totals)
    assert measures(result)[t.PARTICIPATING_HEADS]
    assert result.passed  # 4/7 > 1/2 and 400/700 > 1/2
    more_abstain = owners(10, "1000.00", yes=(4, "400.00"), abstain=(4, "400.00"))
    assert not t.evaluate(t.Spec(t.ORDINARY), more_abstain).passed  # 4/8 is not more than half


def test_nothing_to_measure_never_passes():
    empty = owners(0, "0", yes=(0, "0"))
    result = t.evaluate(t.Spec(t.ORDINARY), empty)
    assert not result.passed and all(not line.ok for line in result.lines)
    assert t.holds(0, 0, Fraction(0), False) is False
    no_votes = owners(10, "100", yes=(0, "0"))
    assert not t.evaluate(t.Spec(t.SIMPLE), no_votes).passed


def test_floats_are_refused():
    with pytest.raises(TypeError):
        t.holds(0.5, 1, Fraction(1, 2), False)


def test_describe_shows_the_arithmetic():
    totals = owners(300, "20000.00", yes=(150, "10000.00"), no=(60, "4000.00"))
    line = t.evaluate(t.Spec(t.ORDINARY), totals).lines[0]
    with translation.override("en"):
        text = t.describe(line)
    assert text == "Exclusive area taking part 14,000.00 / 20,000.00 m² = 70.00% ≥ 2/3 ✓"
    heads = t.evaluate(t.Spec(t.ORDINARY), totals).lines[3]
    with translation.override("en"):
        assert t.describe(heads) == (
            "Approving headcount, of those taking part 150 / 210 = 71.43% > 1/2 ✓"
        )
    fail = t.evaluate(t.Spec(t.ORDINARY), owners(300, "20000", yes=(1, "1"))).lines[1]
    with translation.override("en"):
        assert t.describe(fail).endswith("≥ 2/3 ✗")


def test_serialised_numbers_are_exact():
    assert t.exact(Fraction(Decimal("14000.50"))) == "14000.50"
    assert t.exact(Fraction(7)) == "7"
    assert t.exact(Fraction(7), area=True) == "7.00"
    assert t.exact(Fraction(2, 3)) == "2/3"
    assert Fraction(t.exact(Fraction(2, 3))) == Fraction(2, 3)
