"""The arithmetic of every ballot rule, in one place and without the database (seed 002: owners'
decisions by exclusive area and headcount; Civil Code art. 278).

Everything is exact: counts are integers, areas arrive as Decimal and become Fraction (which is
exact for a Decimal), and every comparison is one between fractions. "At least" includes its
boundary; "more than" (more than half) does not. A share of nothing (0 / 0) never passes.

- SIMPLE: with an approving option, it passes when approvals are more than half of the votes
  cast; among candidates (no approving option), the option with more than half of the votes
  cast wins.
- ORDINARY (art. 278, ordinary matters): participants hold at least 2/3 of the electorate's
  exclusive area and are at least 2/3 of its headcount; approvals are more than half of the
  participating area and more than half of the participating headcount.
- SPECIAL (art. 278 items 6–8): the same participation; approvals at least 3/4 of the
  participating area and headcount.
- ELEVATOR (one unit's retrofit): ORDINARY over the unit's owners, plus every owner named as
  directly affected voted the approving option.
- CUSTOM: the ballot's own participation (at least), approval (more than, or at least) of the
  participants or of the whole electorate, on headcount and, with `weigh_area`, area too.

Abstentions (any option that does not approve) count as participation, never as approval.
Unconfirmed paper ballots are not in the totals at all (the tally leaves them out).

`evaluate(spec, totals)` gives a `Result` whose lines carry each measure's numerator,
denominator, threshold and whether it holds; `Result.as_dict()` is what Ballot.result stores
(JSON) and `Result.from_dict()` reads it back, so a published result renders again, in any
language, with `describe(line)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Rule codes (models.Rule's values; repeated so this module needs no model import).
SIMPLE, ORDINARY, SPECIAL, ELEVATOR, CUSTOM = "simple", "ordinary", "special", "elevator", "custom"
RULES = (SIMPLE, ORDINARY, SPECIAL, ELEVATOR, CUSTOM)

TWO_THIRDS = Fraction(2, 3)
HALF = Fraction(1, 2)
THREE_QUARTERS = Fraction(3, 4)
ALL = Fraction(1)

# Measures: what a line compares.
PARTICIPATING_AREA = "participating_area"
PARTICIPATING_HEADS = "participating_heads"
APPROVING_AREA = "approving_area"
APPROVING_HEADS = "approving_heads"
AFFECTED_CONSENT = "affected_consent"
WINNING_OPTION = "winning_option"
MEASURES = (
    PARTICIPATING_AREA,
    PARTICIPATING_HEADS,
    APPROVING_AREA,
    APPROVING_HEADS,
    AFFECTED_CONSENT,
    WINNING_OPTION,
)
AREA_MEASURES = (PARTICIPATING_AREA, APPROVING_AREA)

# What a line's denominator is.
OF_ELECTORATE = "electorate"
OF_PARTICIPANTS = "participants"
OF_AFFECTED = "affected"


def as_fraction(value) -> Fraction:
    """An exact fraction of an int, a Decimal, a Fraction or their text ("88.50", "2/3")."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        # A float is already inexact: refuse it rather than compute with it.
        raise TypeError("thresholds take int, Decimal, Fraction or str, never float")
    return Fraction(value)


@dataclass(frozen=True)
class Spec:
    """A ballot's rule and, for CUSTOM, its fractions."""

    rule: str
    participation: Fraction = Fraction(0)
    approval: Fraction = HALF
    approval_strict: bool = True
    approval_of_electorate: bool = False
    weigh_area: bool = False

    def __post_init__(self):
        if self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}")

    @classmethod
    def of(cls, ballot) -> Spec:
        """The spec of a Ballot (or anything with its fields); reads attributes only."""
        return cls(
            rule=ballot.rule,
            participation=Fraction(
                ballot.participation_numerator, ballot.participation_denominator or 1
            ),
            approval=Fraction(ballot.approval_numerator, ballot.approval_denominator or 1),
            approval_strict=bool(ballot.approval_strict),
            approval_of_electorate=bool(ballot.approval_of_electorate),
            weigh_area=bool(ballot.weigh_area),
        )


@dataclass(frozen=True)
class OptionTotal:
    """Counted votes of one option: electors (heads) and their summed exclusive area."""

    id: int
    label: str
    heads: int = 0
    area: Fraction = Fraction(0)
    approves: bool = False

    def __post_init__(self):
        object.__setattr__(self, "area", as_fraction(self.area))


@dataclass(frozen=True)
class Totals:
    """What the rules measure: the frozen electorate and the counted votes per option.
    `affected` is how many electors were named directly affected; `affected_approving` how
    many of them voted the approving option."""

    electorate_heads: int
    electorate_area: Fraction
    options: tuple[OptionTotal, ...]
    affected: int = 0
    affected_approving: int = 0

    def __post_init__(self):
        object.__setattr__(self, "electorate_area", as_fraction(self.electorate_area))
        object.__setattr__(self, "options", tuple(self.options))

    @property
    def participating_heads(self) -> int:
        return sum(o.heads for o in self.options)

    @property
    def participating_area(self) -> Fraction:
        return sum((o.area for o in self.options), Fraction(0))

    @property
    def approving(self) -> OptionTotal | None:
        return next((o for o in self.options if o.approves), None)


@dataclass(frozen=True)
class Line:
    """One comparison: numerator / denominator against a threshold, "at least" (inclusive) or
    "more than" (strict). `option` names the option a WINNING_OPTION line is about."""

    measure: str
    numerator: Fraction
    denominator: Fraction
    threshold: Fraction
    strict: bool
    ok: bool
    of: str = OF_PARTICIPANTS
    option: str = ""

    @property
    def share(self) -> Fraction | None:
        return self.numerator / self.denominator if self.denominator else None

    def as_dict(self) -> dict:
        return {
            "measure": self.measure,
            "numerator": exact(self.numerator, area=self.measure in AREA_MEASURES),
            "denominator": exact(self.denominator, area=self.measure in AREA_MEASURES),
            "threshold": str(self.threshold),
            "strict": self.strict,
            "ok": self.ok,
            "of": self.of,
            "option": self.option,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Line:
        return cls(
            measure=data["measure"],
            numerator=Fraction(data["numerator"]),
            denominator=Fraction(data["denominator"]),
            threshold=Fraction(data["threshold"]),
            strict=bool(data["strict"]),
            ok=bool(data["ok"]),
            of=data.get("of", OF_PARTICIPANTS),
            option=data.get("option", ""),
        )


@dataclass(frozen=True)
class Result:
    rule: str
    passed: bool
    lines: tuple[Line, ...]
    totals: Totals
    winner: int | None = None  # the winning option's id, when one wins (or approval passed)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        t = self.totals
        return {
            "rule": self.rule,
            "passed": self.passed,
            "winner": self.winner,
            "lines": [line.as_dict() for line in self.lines],
            "electorate_heads": t.electorate_heads,
            "electorate_area": exact(t.electorate_area, area=True),
            "participating_heads": t.participating_heads,
            "participating_area": exact(t.participating_area, area=True),
            "affected": t.affected,
            "affected_approving": t.affected_approving,
            "options": [
                {
                    "id": o.id,
                    "label": o.label,
                    "heads": o.heads,
                    "area": exact(o.area, area=True),
                    "approves": o.approves,
                }
                for o in t.options
            ],
            **self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        known = {
            "rule",
            "passed",
            "winner",
            "lines",
            "electorate_heads",
            "electorate_area",
            "participating_heads",
            "participating_area",
            "affected",
            "affected_approving",
            "options",
        }
        totals = Totals(
            electorate_heads=int(data.get("electorate_heads", 0)),
            electorate_area=Fraction(data.get("electorate_area", "0")),
            options=tuple(
                OptionTotal(
                    id=o["id"],
                    label=o["label"],
                    heads=int(o["heads"]),
                    area=Fraction(o["area"]),
                    approves=bool(o["approves"]),
                )
                for o in data.get("options", [])
            ),
            affected=int(data.get("affected", 0)),
            affected_approving=int(data.get("affected_approving", 0)),
        )
        return cls(
            rule=data["rule"],
            passed=bool(data["passed"]),
            lines=tuple(Line.from_dict(x) for x in data.get("lines", [])),
            totals=totals,
            winner=data.get("winner"),
            extra={k: v for k, v in data.items() if k not in known},
        )


def exact(value: Fraction, *, area: bool = False) -> str:
    """Exact text of a fraction: "3", an area in cents as "14000.50", else "p/q"."""
    value = as_fraction(value)
    if value.denominator == 1 and not area:
        return str(value.numerator)
    if 100 % value.denominator == 0:
        cents = value * 100
        return str((Decimal(cents.numerator) / 100).quantize(Decimal("0.01")))
    return str(value)


def holds(numerator, denominator, threshold: Fraction, strict: bool) -> bool:
    """numerator / denominator ≥ threshold (or > when strict); never for an empty base."""
    numerator, denominator = as_fraction(numerator), as_fraction(denominator)
    if denominator <= 0:
        return False
    share = numerator / denominator
    return share > threshold if strict else share >= threshold


def _line(measure, numerator, denominator, threshold, strict, of, option="") -> Line:
    numerator, denominator = as_fraction(numerator), as_fraction(denominator)
    return Line(
        measure=measure,
        numerator=numerator,
        denominator=denominator,
        threshold=threshold,
        strict=strict,
        ok=holds(numerator, denominator, threshold, strict),
        of=of,
        option=option,
    )


def _participation(t: Totals, share: Fraction, *, area: bool) -> list[Line]:
    lines = []
    if area:
        lines.append(
            _line(
                PARTICIPATING_AREA,
                t.participating_area,
                t.electorate_area,
                share,
                False,
                OF_ELECTORATE,
            )
        )
    lines.append(
        _line(
            PARTICIPATING_HEADS,
            t.participating_heads,
            t.electorate_heads,
            share,
            False,
            OF_ELECTORATE,
        )
    )
    return lines


def _approval(
    t: Totals, share: Fraction, strict: bool, *, area: bool, of: str = OF_PARTICIPANTS
) -> list[Line]:
    approving = t.approving
    heads = approving.heads if approving else 0
    approving_area = approving.area if approving else Fraction(0)
    whole = of == OF_ELECTORATE
    lines = []
    if area:
        base = t.electorate_area if whole else t.participating_area
        lines.append(_line(APPROVING_AREA, approving_area, base, share, strict, of))
    base_heads = t.electorate_heads if whole else t.participating_heads
    lines.append(_line(APPROVING_HEADS, heads, base_heads, share, strict, of))
    return lines


def evaluate(spec: Spec, totals: Totals) -> Result:
    """Apply the rule to the totals: every line it needs, and whether all of them hold."""
    t = totals
    approving = t.approving
    winner = None
    if spec.rule == SIMPLE:
        if approving is not None:
            lines = _approval(t, HALF, True, area=False)
        else:
            # Among candidates: the leader, if it has more than half of the votes cast (then it
            # is the only one that can).
            leader = max(t.options, key=lambda o: o.heads, default=None)
            if leader is None:
                lines = [
                    _line(WINNING_OPTION, 0, t.participating_heads, HALF, True, OF_PARTICIPANTS)
                ]
            else:
                lines = [
                    _line(
                        WINNING_OPTION,
                        leader.heads,
                        t.participating_heads,
                        HALF,
                        True,
                        OF_PARTICIPANTS,
                        option=leader.label,
                    )
                ]
                if lines[0].ok:
                    winner = leader.id
    elif spec.rule in (ORDINARY, SPECIAL, ELEVATOR):
        share = THREE_QUARTERS if spec.rule == SPECIAL else HALF
        strict = spec.rule != SPECIAL
        lines = [
            *_participation(t, TWO_THIRDS, area=True),
            *_approval(t, share, strict, area=True),
        ]
        if spec.rule == ELEVATOR:
            lines.append(
                _line(AFFECTED_CONSENT, t.affected_approving, t.affected, ALL, False, OF_AFFECTED)
            )
    else:  # CUSTOM
        lines = []
        if spec.participation > 0:
            lines += _participation(t, spec.participation, area=spec.weigh_area)
        of = OF_ELECTORATE if spec.approval_of_electorate else OF_PARTICIPANTS
        lines += _approval(t, spec.approval, spec.approval_strict, area=spec.weigh_area, of=of)
    passed = all(line.ok for line in lines)
    if passed and approving is not None:
        winner = approving.id
    return Result(rule=spec.rule, passed=passed, lines=tuple(lines), totals=t, winner=winner)


# --- Words ---------------------------------------------------------------------------------------

LABELS = {
    (PARTICIPATING_AREA, OF_ELECTORATE): gettext_lazy("Exclusive area taking part"),
    (PARTICIPATING_HEADS, OF_ELECTORATE): gettext_lazy("Headcount taking part"),
    (APPROVING_AREA, OF_PARTICIPANTS): gettext_lazy(
        "Approving exclusive area, of the area taking part"
    ),
    (APPROVING_HEADS, OF_PARTICIPANTS): gettext_lazy("Approving headcount, of those taking part"),
    (APPROVING_AREA, OF_ELECTORATE): gettext_lazy(
        "Approving exclusive area, of the whole electorate's"
    ),
    (APPROVING_HEADS, OF_ELECTORATE): gettext_lazy("Approving headcount, of the whole electorate"),
    (AFFECTED_CONSENT, OF_AFFECTED): gettext_lazy("Directly affected owners consenting"),
}


def label(line: Line) -> str:
    if line.measure == WINNING_OPTION:
        if line.option:
            return _("Votes for “%(option)s”, of the votes cast") % {"option": line.option}
        return _("Votes for the leading option, of the votes cast")
    return str(LABELS.get((line.measure, line.of), line.measure))


def number(value, *, area: bool) -> str:
    """14,000.00 for an area, 1,234 for a count (exact up to the cent; areas are in cents)."""
    value = as_fraction(value)
    if area:
        cents = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        return f"{cents:,.2f}"
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return str(value)


def percent(share: Fraction | None) -> str:
    """The share as a percentage with two decimals, for reading; comparisons use the fraction."""
    if share is None:
        return "—"
    pct = (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return f"{pct}%"


def describe(line: Line) -> str:
    """The line as a sentence with its arithmetic, e.g.
    "参与表决的专有面积 14,000.00 / 20,000.00 m² = 70.00% ≥ 2/3 ✓"."""
    area = line.measure in AREA_MEASURES
    values = {
        "label": label(line),
        "num": number(line.numerator, area=area),
        "den": number(line.denominator, area=area),
        "unit": " m²" if area else "",
        "pct": percent(line.share),
        "op": ">" if line.strict else "≥",
        "threshold": str(line.threshold),
        "mark": "✓" if line.ok else "✗",
    }
    if line.share is None:
        return _("%(label)s %(num)s / %(den)s%(unit)s: nothing to measure %(mark)s") % values
    return _("%(label)s %(num)s / %(den)s%(unit)s = %(pct)s %(op)s %(threshold)s %(mark)s") % values


def rule_summary(rule: str) -> str:
    """What the rule demands, in a sentence (the result's heading)."""
    texts = {
        SIMPLE: gettext_lazy("More than half of the votes cast."),
        ORDINARY: gettext_lazy(
            "Owners holding at least 2/3 of the exclusive area and at least 2/3 of the "
            "headcount take part; more than half of the participating area and of the "
            "participating headcount approve (Civil Code art. 278)."
        ),
        SPECIAL: gettext_lazy(
            "Owners holding at least 2/3 of the exclusive area and at least 2/3 of the "
            "headcount take part; at least 3/4 of the participating area and of the "
            "participating headcount approve (Civil Code art. 278, items 6–8)."
        ),
        ELEVATOR: gettext_lazy(
            "The unit's owners decide by the thresholds of Civil Code art. 278 (2/3 take "
            "part, more than half approve, by area and headcount), and every owner named as "
            "directly affected consents."
        ),
        CUSTOM: gettext_lazy("The thresholds set for this ballot."),
    }
    return str(texts.get(rule, ""))


def describe_result(result: Result) -> list[str]:
    """Every line as text, then the verdict."""
    lines = [describe(line) for line in result.lines]
    lines.append(_("Passed.") if result.passed else _("Not passed."))
    return lines
