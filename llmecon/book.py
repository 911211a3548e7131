"""What a notebook hands to the book: figures in one house style with the data they plot, and glued values.

Every figure in the book goes through :func:`publish_figure`, which writes the plotted data to
``figdata/<label>.csv`` beside the notebook (linked beside the figure for download) and glues the figure under
``label`` for a ``{glue:figure}`` directive carrying its caption, alt text and ``:name:``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, Markdown, display
from myst_nb import glue


STYLE_FILE = Path(__file__).with_name("house.mplstyle")

# Okabe & Ito (2008) colour-blind-safe palette, named for use in code.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}

# One colour per lab, used by every chapter.
ORGANISATION_COLOURS = {
    "OpenAI": PALETTE["black"],
    "Anthropic": PALETTE["orange"],
    "Google": PALETTE["blue"],
    "Meta": PALETTE["green"],
    "Mistral AI": PALETTE["vermillion"],
    "DeepSeek": PALETTE["purple"],
    "Alibaba": PALETTE["sky"],
    "Microsoft": PALETTE["yellow"],
}


def use_house_style() -> None:
    """Apply the report's matplotlib style (call once at the top of a notebook)."""
    plt.style.use(STYLE_FILE)


def figure_data_path(label: str) -> Path:
    """Where the data plotted in figure ``label`` is written: ``figdata/<label>.csv`` in the working folder,
    which is the notebook's own folder when the book, nbval or ``make execute`` runs it (and a scenario's
    folder when papermill runs it with ``--cwd``, so scenarios never overwrite the book's files)."""
    if not label.startswith("fig-"):
        raise ValueError(f"figure label {label!r} must start with 'fig-'")
    return Path.cwd() / "figdata" / f"{label}.csv"


def publish_figure(fig: plt.Figure, data: pd.DataFrame, label: str) -> None:
    """Write ``data`` (exactly what ``fig`` plots) to its CSV, glue ``fig`` under ``label`` and close it.

    The figure is rendered once, to a PNG at the figure's own resolution (``figure.dpi`` of the house style):
    Jupyter's inline display would draw it twice, once more to crop it, which constrained layout makes needless.
    Prints one line naming the figure and its data file, so the notebook's text output records it. Returns
    nothing, so that a cell ending with it displays no machine-specific path.
    """
    if data.empty:
        raise ValueError(f"figure {label}: no data to plot")
    path = figure_data_path(label)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and then renamed: a build or a copy reading figdata/ meanwhile sees a whole file, never half.
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    data.to_csv(partial, index=False, lineterminator="\n")
    os.replace(partial, path)
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=fig.dpi)
    plt.close(fig)
    glue(label, Image(data=png.getvalue(), format="png"), display=False)
    print(f"{label}: {len(data)} rows plotted, data in figdata/{path.name}")


def publish_values(values: dict[str, str]) -> None:
    """Glue each preformatted value under its key (for ``{glue:text}`` in prose) and print them all.

    Values are strings formatted by the notebook (e.g. ``f"{ratio:.1f}"``): myst-nb cannot format
    NumPy 2 scalars, and printing them puts every glued number where strict nbval compares it.
    """
    width = max(len(k) for k in values)
    for key, value in values.items():
        if not isinstance(value, str):
            raise TypeError(f"glued value {key!r} must be a preformatted string, not {type(value).__name__}")
        glue(key, value, display=False)
        print(f"{key:<{width}}  {value}")


def publish_table(table: pd.DataFrame, label: str, caption: str, floatfmt: str = "g") -> None:
    """Show ``table`` as a numbered MyST table with ``caption``, citable as ``{numref}`label```.

    Cells may hold MyST markup (links, roles). The table is output as Markdown, which strict nbval compares.
    """
    if not label.startswith("tbl-"):
        raise ValueError(f"table label {label!r} must start with 'tbl-'")
    if table.empty:
        raise ValueError(f"table {label}: no rows")
    body = table.to_markdown(index=False, floatfmt=floatfmt)
    # A tilde fence, since a backtick fence's info string may not contain the backticks a caption can hold.
    display(Markdown(f"~~~{{table}} {caption}\n:name: {label}\n\n{body}\n~~~"))
