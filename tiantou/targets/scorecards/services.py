"""Every write of township scorecards (科技进步目标责任制考核细则): a scheme for a region
and year, scored against a target sheet's split, and its weighted rules.

Scores themselves are never stored: `selectors.scheme_scores` computes them
from the engine's values whenever the scheme is shown or exported.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.permissions import ensure_can
from tiantou.core import audit
from tiantou.core.models import AuditAction
from tiantou.core.services import apply_changes, check_version, create_audited
from tiantou.indicators import registry
from tiantou.regions.choices import Level
from tiantou.regions.models import Region

from ..models import ScoreRule, ScoreScheme, TargetSheet

ADD_PERM = "targets.add_scorescheme"
CHANGE_PERM = "targets.change_scorescheme"
MIN_YEAR, MAX_YEAR = 2000, 2100
MIN_CAP, MAX_CAP = 100, 500
# ScoreRule.weight and stretch_bonus: 6 digits, 2 of them decimals.
MAX_POINTS = Decimal("10000")


def _clean_scheme(*, region: Region, year: int, name: str, sheet: TargetSheet | None) -> dict:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the scheme a name.")]
    elif len(name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    number: int | None
    try:
        number = int(year)
    except (TypeError, ValueError):
        number = None
    if number is None or not MIN_YEAR <= number <= MAX_YEAR:
        errors["year"] = [
            _("Enter a year between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        ]
    if region.level >= Level.VILLAGE:
        errors["region"] = [
            _("A scheme scores the townships of a county (or the villages of a township).")
        ]
    if sheet is not None:
        if sheet.region_id != region.code:
            errors["sheet"] = [_("Choose a target sheet of the same region.")]
        elif number is not None and sheet.year != number:
            errors["sheet"] = [_("Choose a target sheet of the same year.")]
    if errors:
        raise ValidationError(errors)
    return {"region": region, "year": number, "name": name, "sheet": sheet}


@transaction.atomic
def scheme_create(
    *, actor: User, region: Region, year: int, name: str, sheet: TargetSheet | None = None
) -> ScoreScheme:
    """A new scheme, without rules yet."""
    scheme = ScoreScheme(region=region)
    ensure_can(actor, ADD_PERM, scheme)
    fields = _clean_scheme(region=region, year=year, name=name, sheet=sheet)
    return create_audited(actor=actor, obj=ScoreScheme(**fields))


@transaction.atomic
def scheme_update(
    *,
    actor: User,
    scheme: ScoreScheme,
    name: str,
    year: int,
    sheet: TargetSheet | None = None,
    rules: Iterable[Mapping[str, Any]] | None = None,
    expected_version: int | None = None,
) -> ScoreScheme:
    """Change a scheme's name, year and target sheet (its region stays) and, when `rules`
    is given, replace its rules too (see `rules_save`), all or nothing."""
    ensure_can(actor, CHANGE_PERM, scheme)
    rules = list(rules) if rules is not None else None
    errors: dict[str, list[str]] = {}
    fields: dict = {}
    try:
        fields = _clean_scheme(region=scheme.region, year=year, name=name, sheet=sheet)
    except ValidationError as error:
        errors |= error.message_dict
    if rules is not None:
        try:
            _clean_rules(rules)
        except ValidationError as error:
            errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    fields.pop("region")
    apply_changes(actor=actor, obj=scheme, changes=fields, expected_version=expected_version)
    if rules is not None:
        rules_save(actor=actor, scheme=scheme, rules=rules)
        scheme.refresh_from_db()
    return scheme


def _points(value: Any, field: str, errors: dict, row: int, required: bool) -> Decimal | None:
    if value in (None, "") and required:
        errors.setdefault(field, []).append(_("Line %(row)d: enter the points.") % {"row": row})
        return None
    try:
        number = Decimal(str(value if value not in (None, "") else "0").strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors.setdefault(field, []).append(_("Line %(row)d: enter a number.") % {"row": row})
        return None
    if number < 0:
        errors.setdefault(field, []).append(
            _("Line %(row)d: enter a number of 0 or more.") % {"row": row}
        )
        return None
    if number >= MAX_POINTS or number != number.quantize(Decimal("0.01")):
        errors.setdefault(field, []).append(
            _("Line %(row)d: at most 9999.99, with two decimals.") % {"row": row}
        )
        return None
    return number.quantize(Decimal("0.01"))


def _clean_rules(rules: Iterable[Mapping[str, Any]]) -> list[ScoreRule]:
    errors: dict[str, list[str]] = {}
    cleaned: list[ScoreRule] = []
    seen: dict[str, int] = {}
    for row, rule in enumerate(rules, start=1):
        key = str(rule.get("indicator") or "").strip()
        if key not in registry.INDICATORS:
            errors.setdefault("indicator", []).append(
                _("Line %(row)d: choose an indicator.") % {"row": row}
            )
        elif key in seen:
            errors.setdefault("indicator", []).append(
                _("Line %(row)d: %(indicator)s is already scored in line %(first)d.")
                % {"row": row, "indicator": registry.get(key).name, "first": seen[key]}
            )
        else:
            seen[key] = row
        weight = _points(rule.get("weight"), "weight", errors, row, True)
        bonus = _points(rule.get("stretch_bonus"), "stretch_bonus", errors, row, False)
        try:
            cap = int(rule.get("cap_percent") or 100)
        except (TypeError, ValueError):
            cap = 0
        if not MIN_CAP <= cap <= MAX_CAP:
            errors.setdefault("cap_percent", []).append(
                _("Line %(row)d: the share counted at most is between %(min)d%% and %(max)d%%.")
                % {"row": row, "min": MIN_CAP, "max": MAX_CAP}
            )
        if weight is not None and bonus is not None:
            cleaned.append(
                ScoreRule(
                    order=row, indicator=key, weight=weight, cap_percent=cap, stretch_bonus=bonus
                )
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _describe(rules: Iterable[ScoreRule]) -> str:
    return "\n".join(
        _("%(indicator)s: %(weight)s points, counted up to %(cap)d%%, bonus %(bonus)s")
        % {
            "indicator": registry.get(r.indicator).name
            if r.indicator in registry.INDICATORS
            else r.indicator,
            "weight": r.weight,
            "cap": r.cap_percent,
            "bonus": r.stretch_bonus,
        }
        for r in rules
    )


@transaction.atomic
def rules_save(
    *,
    actor: User,
    scheme: ScoreScheme,
    rules: Iterable[Mapping[str, Any]],
    expected_version: int | None = None,
) -> list[ScoreRule]:
    """Replace the scheme's rules, in the order given. Each: indicator, weight (points),
    cap_percent (share of the target counted at most) and stretch_bonus. Weights need not
    add up to 100 (the scheme page shows their sum)."""
    ensure_can(actor, CHANGE_PERM, scheme)
    cleaned = _clean_rules(rules)
    check_version(scheme, expected_version)
    scheme = ScoreScheme.objects.select_for_update().get(pk=scheme.pk)
    before = audit.snapshot(scheme)
    old = list(scheme.rules.all())
    if [(r.indicator, r.weight, r.cap_percent, r.stretch_bonus) for r in old] == [
        (r.indicator, r.weight, r.cap_percent, r.stretch_bonus) for r in cleaned
    ]:
        return old
    scheme.rules.all().delete()
    for rule in cleaned:
        rule.scheme = scheme
    ScoreRule.objects.bulk_create(cleaned)
    scheme.version += 1
    scheme.save()
    audit.record(
        actor=actor,
        obj=scheme,
        action=AuditAction.UPDATE,
        before=before,
        note=_("Rules: %(rules)s") % {"rules": _describe(cleaned) or "—"},
    )
    return cleaned
