"""Post titles follow the programme and the kind of the host township (乡/镇/场/街道)."""

from tiantou.regions.choices import Level, RegionKind
from tiantou.regions.models import Region

from .choices import ProgrammeKind

# The head of each kind of township, as used in post titles.
HEAD_BY_KIND: dict[str, str] = {
    RegionKind.TOWNSHIP: "乡",
    RegionKind.ETHNIC_TOWNSHIP: "乡",
    RegionKind.SUMU: "苏木",
    RegionKind.TOWN: "镇",
    RegionKind.FARM: "场",
    RegionKind.SUBDISTRICT: "主任",
}


def township_of(region: Region) -> Region | None:
    """The township a host region lies in (itself, or a village's parent)."""
    if region.level == Level.TOWNSHIP:
        return region
    if region.level == Level.VILLAGE:
        return region.parent
    return None


def post_title(programme_kind: str, host_region: Region) -> str:
    """The title of a post, e.g. 科技副镇长, 科技副主任 (街道), 乡长科技助理, 科技特派员."""
    township = township_of(host_region)
    head = HEAD_BY_KIND.get(township.kind, "乡镇") if township else ""
    if programme_kind == ProgrammeKind.DEPUTY:
        if host_region.level == Level.VILLAGE:
            return "村科技副主任"
        if head == "主任":
            return "科技副主任"
        return f"科技副{head}长" if head else "科技副职"
    if programme_kind == ProgrammeKind.ASSISTANT:
        if head == "主任":
            return "街道办事处主任科技助理"
        return f"{head}长科技助理" if head else "科技助理"
    if programme_kind in (
        ProgrammeKind.COMMISSIONER,
        ProgrammeKind.COMMISSIONER_TEAM,
        ProgrammeKind.COMMISSIONER_LEGAL,
    ):
        return "科技特派员"
    if programme_kind == ProgrammeKind.EXPERT_POOL:
        return "科技专家"
    return "科技志愿者"
