"""Demo data for regions: the county's real villages and synthetic organisations."""

from django.utils.translation import gettext as _

from tiantou.core.validators import uscc_check_char

from . import services
from .choices import AssociationType, Level, OrganisationKind
from .models import Organisation, Region

COUNTY_DEPARTMENTS = [
    "县科学技术局",
    "县委组织部",
    "县科学技术协会",
    "县农业农村局",
    "县林业局",
    "县畜牧兽医局",
    "县教育局",
    "县卫生健康局",
    "县气象局",
    "县统计局",
    "县财政局",
    "县人力资源和社会保障局",
    "团县委",
    "县生产力促进中心",
]
COUNTY_ASSOCIATIONS = [
    ("县园艺学会", AssociationType.SOCIETY),
    ("县老科技工作者协会", AssociationType.PROFESSIONAL),
    ("县农学会", AssociationType.SOCIETY),
    ("县养猪协会", AssociationType.FARMERS),
]
COUNTY_OTHERS = [
    ("县融媒体中心", OrganisationKind.MEDIA),
    ("县第一中学", OrganisationKind.SCHOOL),
    ("县职业中专", OrganisationKind.SCHOOL),
    ("县农业科学研究所", OrganisationKind.INSTITUTE),
]
PRODUCTS = ["蔬菜", "食用菌", "果品", "茶叶", "中药材", "肉牛", "生猪", "蜜蜂", "花卉", "粮油"]
INDUSTRIES = ["机电", "新材料", "食品", "电子", "轴承", "化工", "生物", "纺织"]
FIRM_SUFFIX = ["科技有限公司", "股份有限公司", "实业有限公司"]


def demo_credit_code(rng, county_code: str) -> str:
    """A well-formed unified social credit code of an enterprise registered in the county."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + county_code[:6] + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc_check_char(body)


def _short(name: str) -> str:
    for suffix in ("街道", "镇", "乡", "办事处"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _ensure(ctx, existing: set, name: str, kind: str, region: Region, **fields) -> int:
    if (region.code, name) in existing:
        return 0
    services.organisation_create(
        actor=ctx.actor, name=name, kind=kind, region=region, is_demo=True, **fields
    )
    existing.add((region.code, name))
    return 1


def seed_county_organisations(ctx, county: Region) -> int:
    """Departments, associations, enterprises, cooperatives and bases of one county."""
    rng = ctx.rng
    low, high = county.subtree
    existing = set(
        Organisation.objects.filter(region__code__range=(low, high)).values_list(
            "region_id", "name"
        )
    )
    prefix = county.name[:-1] if county.name.endswith("县") else county.name
    created = 0
    for name in COUNTY_DEPARTMENTS:
        created += _ensure(ctx, existing, name, OrganisationKind.DEPARTMENT, county)
    for name, kind in COUNTY_ASSOCIATIONS:
        created += _ensure(
            ctx, existing, name, OrganisationKind.ASSOCIATION, county, association_type=kind
        )
    for name, org_kind in COUNTY_OTHERS:
        created += _ensure(ctx, existing, name, org_kind, county)
    townships = list(
        Region.objects.filter(code__range=(low, high), level=Level.TOWNSHIP, is_active=True)
    )
    for township in townships:
        short = _short(township.name)
        product = rng.choice(PRODUCTS)
        created += _ensure(
            ctx,
            existing,
            f"{short}{product}专业合作社",
            OrganisationKind.COOPERATIVE,
            township,
            contact_person=rng.choice("王李张刘陈杨赵黄周吴") + rng.choice("建国秀英志强丽华明"),
        )
        created += _ensure(
            ctx,
            existing,
            f"{short}{product}科技示范基地",
            OrganisationKind.BASE,
            township,
        )
        created += _ensure(
            ctx,
            existing,
            f"{short}农业新技术协会",
            OrganisationKind.ASSOCIATION,
            township,
            association_type=AssociationType.FARMERS,
        )
        if rng.random() < 0.6:
            # Draw every random value whether or not the row exists, so reruns stay in step.
            firm = f"{prefix}{short}{rng.choice(INDUSTRIES)}{rng.choice(FIRM_SUFFIX)}"
            credit_code = demo_credit_code(rng, county.code)
            created += _ensure(
                ctx,
                existing,
                firm,
                OrganisationKind.ENTERPRISE,
                township,
                credit_code=credit_code,
            )
    return created


def seed(ctx) -> None:
    """Load the county's official villages, then its synthetic organisations."""
    result = services.villages_load_official(county_codes=[ctx.county.code])
    ctx.log.append(_("Villages: %(summary)s") % {"summary": result})
    created = seed_county_organisations(ctx, ctx.county)
    if ctx.size == "province":
        for county in ctx.other_counties(99):
            created += seed_county_organisations(ctx, county)
    ctx.log.append(_("Organisations created: %(n)d") % {"n": created})
