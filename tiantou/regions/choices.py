"""Choice lists for regions and organisations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")
    VILLAGE = 5, _("Village")


class RegionKind(models.TextChoices):
    """What kind of unit a region is; a township's kind decides dispatched post titles."""

    PROVINCE = "province", _("province")
    MUNICIPALITY = "municipality", _("municipality")
    AUTONOMOUS_REGION = "autonomous_region", _("autonomous region")
    CITY = "city", _("prefecture-level city")
    PREFECTURE = "prefecture", _("prefecture")
    AUTONOMOUS_PREFECTURE = "autonomous_prefecture", _("autonomous prefecture")
    LEAGUE = "league", _("league")
    COUNTY = "county", _("county")
    AUTONOMOUS_COUNTY = "autonomous_county", _("autonomous county")
    BANNER = "banner", _("banner")
    COUNTY_CITY = "county_city", _("county-level city")
    DISTRICT = "district", _("district")
    TOWN = "town", _("town")
    TOWNSHIP = "township", _("township")
    ETHNIC_TOWNSHIP = "ethnic_township", _("ethnic township")
    SUMU = "sumu", _("sumu")
    SUBDISTRICT = "subdistrict", _("subdistrict")
    FARM = "farm", _("state farm")
    VILLAGE = "village", _("village")
    COMMUNITY = "community", _("community")
    OTHER = "other", _("other")


class RegionSource(models.TextChoices):
    OFFICIAL = "official", _("official division codes")
    IMPORTED = "imported", _("imported from a spreadsheet")
    MANUAL = "manual", _("added by hand")


class OfficialStatus(models.TextChoices):
    """How a 2023 township compares with the civil-affairs list of 2026."""

    CURRENT = "", _("current")
    RENAMED = "renamed", _("renamed since")
    ABSENT = "absent", _("no longer listed (merged or abolished?)")
    NEW = "new", _("new since the 2023 edition")


class OrganisationKind(models.TextChoices):
    DEPARTMENT = "department", _("government department")
    ENTERPRISE = "enterprise", _("enterprise")
    ASSOCIATION = "association", _("association or society")
    COOPERATIVE = "cooperative", _("cooperative")
    BASE = "base", _("demonstration base")
    SCHOOL = "school", _("school")
    INSTITUTE = "institute", _("research institute or university")
    MEDIA = "media", _("media")
    OTHER = "other", _("other")


class AssociationType(models.TextChoices):
    """Sub-type of an association: 学会 / 协会 / 农技协 / 厂矿科协."""

    NONE = "", _("—")
    SOCIETY = "society", _("learned society")
    PROFESSIONAL = "professional", _("professional association")
    FARMERS = "farmers", _("farmers' technical association")
    ENTERPRISE_SCA = "enterprise_sca", _("enterprise science association")
