"""A chart block drawn as a PNG with matplotlib, for every format that shows pictures (the
web page, PDF and Word): one picture, so they all look alike."""

import io
from functools import cache

import matplotlib

matplotlib.use("Agg")  # no screen on a server

from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

from ..document import Block  # noqa: E402

# A CJK font the machine has (`make run` installs WenQuanYi Micro Hei on Debian).
CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "SimHei", "Microsoft YaHei"]
BAR = "#2f6f9f"


@cache
def _font() -> str:
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), "sans-serif")


def chart_png(block: Block) -> bytes:
    """A horizontal bar chart of the block's labels and first series, values printed."""
    data = block.table
    labels: list[str] = data.get("labels", [])
    values = [v or 0 for v in data["series"][0]["values"]] if data.get("series") else []
    plt.rcParams["font.family"] = _font()
    plt.rcParams["axes.unicode_minus"] = False
    figure, axes = plt.subplots(figsize=(6.3, max(2.0, 0.32 * len(labels) + 0.9)), dpi=150)
    try:
        positions = list(range(len(labels)))
        axes.barh(positions, values, color=BAR, height=0.6)
        axes.set_yticks(positions, labels, fontsize=9)
        axes.invert_yaxis()
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(axis="x", labelsize=8)
        unit = data.get("unit", "")
        if unit:
            axes.set_xlabel(unit, fontsize=9)
        top = max(values, default=0) or 1
        for position, value in zip(positions, values, strict=True):
            axes.text(value + top * 0.01, position, f"{value:,}", va="center", fontsize=8)
        axes.set_xlim(0, top * 1.15)
        figure.tight_layout()
        output = io.BytesIO()
        figure.savefig(output, format="png")
        return output.getvalue()
    finally:
        plt.close(figure)
