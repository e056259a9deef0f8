"""The statistics page's charts: SVG to put in the page, PNG to export, drawn by matplotlib (Agg, no display).

Each chart is drawn from a ``CountTable`` of the figures, so it shows exactly the table's numbers; the page
prints each chart's source under it. The words on a chart (axis titles, series names) come in the page's
language from the caller. Charts are drawn once per figures and language (``render`` keeps them).
"""

from __future__ import annotations

import io
import logging
import re
import threading
import warnings
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")  # before anything draws: no display, no GUI toolkit
from matplotlib.figure import Figure

from kartoteka.stats.counts import FIRST_WINTER
from kartoteka.stats.types import CountTable, Statistics

CHARTS = ("deaths_by_month", "by_year", "repatriation_by_year", "by_camp")
FORMATS = ("svg", "png")
MAX_BARS = 20  # camps shown on the chart (the table lists them all)
Labels = Callable[[str], str]

matplotlib.rcParams.update({
    "svg.fonttype": "none",  # text stays text in the SVG: the browser's fonts draw every script
    "svg.hashsalt": "kartoteka",  # the same figures give the same SVG
    # PNG: Latin and Cyrillic from DejaVu, kanji and kana from Noto CJK where the system has it
    "font.family": ["DejaVu Sans", "Noto Sans CJK JP", "Noto Sans CJK SC"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
})
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
_draw_lock = threading.Lock()  # matplotlib's font cache and text layout are not safe across threads


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _deaths_by_month(fig: Figure, table: CountTable, say: Labels) -> None:
    ax = fig.subplots()
    died = {row["month"]: row["died"] for row in table.rows}
    months = _months(min(died), max(died)) if died else []
    winter = (FIRST_WINTER[0].isoformat()[:7], FIRST_WINTER[1].isoformat()[:7])
    colours = ["#8c2d04" if winter[0] <= m <= winter[1] else "#4a6fa5" for m in months]
    ax.bar(range(len(months)), [died.get(m, 0) for m in months], color=colours, width=0.85)
    ticks = [i for i, m in enumerate(months) if m.endswith(("-01", "-07"))]
    ax.set_xticks(ticks, [months[i] for i in ticks], rotation=45, ha="right")
    ax.set_ylabel(say("deaths"))
    if any(winter[0] <= m <= winter[1] for m in months):
        ax.bar([0], [0], color="#8c2d04", label=say("first winter"))
        ax.legend(frameon=False)


def _by_year(fig: Figure, table: CountTable, say: Labels) -> None:
    ax = fig.subplots()
    years = [row["year"] for row in table.rows]
    series = [("held", "#4a6fa5"), ("died", "#8c2d04"), ("repatriated", "#3b8f5a")]
    for offset, (name, colour) in enumerate(series):
        ax.bar([i + (offset - 1) * 0.27 for i in range(len(years))], table.column(name), width=0.27,
               color=colour, label=say(name))
    ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=45, ha="right")
    ax.set_ylabel(say("persons"))
    ax.legend(frameon=False)


def _repatriation(fig: Figure, table: CountTable, say: Labels) -> None:
    ax = fig.subplots()
    years = [row["year"] for row in table.rows]
    store_total = sum(row["manifests"] for row in table.rows) or 1
    published_total = sum(row["released"] or 0 for row in table.rows) or 1
    ax.bar([i - 0.2 for i in range(len(years))], [100 * row["manifests"] / store_total for row in table.rows],
           width=0.4, color="#4a6fa5", label=say("this store (manifests)"))
    ax.bar([i + 0.2 for i in range(len(years))],
           [100 * (row["released"] or 0) / published_total for row in table.rows], width=0.4, color="#b0b0b0",
           label=say("published (released)"))
    ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=45, ha="right")
    ax.set_ylabel(say("share of all repatriated (%)"))
    ax.legend(frameon=False)


def _by_camp(fig: Figure, table: CountTable, say: Labels) -> None:
    ax = fig.subplots()
    rows = table.rows[:MAX_BARS][::-1]
    ax.barh(range(len(rows)), [row["held"] for row in rows], color="#4a6fa5", label=say("held"))
    ax.barh(range(len(rows)), [row["died"] for row in rows], color="#8c2d04", label=say("died"), height=0.5)
    ax.set_yticks(range(len(rows)), [str(row["camp"])[:40] for row in rows])
    ax.set_xlabel(say("persons"))
    ax.legend(frameon=False)


DRAW = {"deaths_by_month": _deaths_by_month, "by_year": _by_year, "repatriation_by_year": _repatriation,
        "by_camp": _by_camp}


def draw(table: CountTable, fmt: str, say: Labels) -> bytes:
    """One chart of ``table`` as SVG or PNG bytes; ``say`` gives a chart word in the reader's language."""
    height = 4.6 if table.name == "by_camp" else 3.2
    fig = Figure(figsize=(7.2, height), layout="constrained")
    buffer = io.BytesIO()
    with _draw_lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph missing from the PNG fonts: drawn as a box, not an error
        DRAW[table.name](fig, table, say)
        fig.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else 72, metadata={"Date": None}
                    if fmt == "svg" else {"Software": None})
    return buffer.getvalue()


def inline_svg(svg: bytes, name: str, label: str) -> str:
    """An SVG fit to stand in a page: no XML prolog, ids unique to the chart, scaled to the column, an image with
    an accessible name (the table beside it holds the numbers)."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r'id="([^"]+)"', rf'id="{name}-\1"', text)
    text = re.sub(r'(url\(#|href="#)([^")]+)', rf"\1{name}-\2", text)
    text = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1', text, count=1)
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return text.replace("<svg ", f'<svg role="img" aria-label="{escaped}" class="chart" ', 1)


_kept: dict[tuple[str, str, str, str], bytes] = {}
_kept_lock = threading.Lock()


def render(figures: Statistics, name: str, fmt: str, language: str, say: Labels) -> bytes | None:
    """A chart of the figures (None when its table is empty), drawn once per figures, chart, format and
    language."""
    table = figures.counts.get(name)
    if name not in DRAW or fmt not in FORMATS or table is None or not table.rows:
        return None
    key = (figures.key, name, fmt, language)
    with _kept_lock:
        found = _kept.get(key)
    if found is None:
        found = draw(table, fmt, say)
        with _kept_lock:
            if len(_kept) > 256:
                _kept.clear()
            _kept[key] = found
    return found
