"""Pictures of runs, sweeps and the ablation, the notebook's recorded curve over each.

    plot_runs([load_run("runs/a"), load_run("runs/b")], "curves.png")
    plot_sweep(summary, "sweep/sweep.png", title)

matplotlib (``pip install -e .[plot]``) is imported only when a picture is
drawn, on its Agg backend; without it a UserError says how to get it.  Each
PNG is rendered in memory and written by ``files.write_atomic``.
"""

import argparse
import io
import os

import numpy as np

from tf1repro.errors import UserError
from tf1repro.files import resource_errors, write_atomic
from tf1repro.explore.records import NOTEBOOK_LABEL, NOTEBOOK_VALIDATION, metrics_file, run_label, validation_curve

PLOT_HINT = "drawing needs matplotlib: pip install -e .[plot] (./run.sh installs it)"


def pyplot():
    """matplotlib.pyplot on the Agg backend (files only), or UserError saying how to get it."""
    try:
        import matplotlib
    except ImportError:
        raise UserError(PLOT_HINT) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def require_matplotlib():
    pyplot()


def _axes(plt, title):
    fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.grid(True, alpha=0.3)
    return fig, ax


def _notebook(ax):
    ax.plot(range(len(NOTEBOOK_VALIDATION)), NOTEBOOK_VALIDATION, "o-", color="black",
            markersize=4, linewidth=1.2, label=NOTEBOOK_LABEL, zorder=5)


def _save(plt, fig, ax, out, epochs):
    ax.set_xticks(range(0, max(epochs, len(NOTEBOOK_VALIDATION)), 2))
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png")
    plt.close(fig)
    with resource_errors(f"drawing {out}"):
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    write_atomic(out, png.getvalue())
    return out


def plot_runs(records, out, labels=None, title="Validation accuracy per epoch"):
    """Each run's validation accuracy per epoch over the notebook's, as a PNG at ``out``."""
    plt = pyplot()
    fig, ax = _axes(plt, title)
    labels = labels or [run_label(r, f"run {i + 1}") for i, r in enumerate(records)]
    epochs = 0
    for record, label in zip(records, labels):
        curve = validation_curve(record)
        epochs = max(epochs, len(curve))
        ax.plot(range(len(curve)), curve, linewidth=1.6, label=label)
    _notebook(ax)
    return _save(plt, fig, ax, out, epochs)


def plot_sweep(summary, out, title):
    """The sweep's band (min..max, mean ± std, mean) with the notebook's curve over it."""
    plt = pyplot()
    fig, ax = _axes(plt, title)
    v = summary["validation_accuracy"]
    x = range(len(v["mean"]))
    mean, std = np.asarray(v["mean"]), np.asarray(v["std"])
    n = len(summary["finished"])
    ax.fill_between(x, v["min"], v["max"], color="tab:blue", alpha=0.18,
                    label=f"min..max of {n} seeds")
    ax.fill_between(x, mean - std, mean + std, color="tab:blue", alpha=0.3, label="mean ± std")
    ax.plot(x, mean, color="tab:blue", linewidth=1.6, label="mean")
    _notebook(ax)
    return _save(plt, fig, ax, out, len(v["mean"]))


def plot_ablation(cells, out, title):
    """Mean validation accuracy per epoch (band: min..max) of each ablation cell."""
    plt = pyplot()
    fig, ax = _axes(plt, title)
    colours = {}
    epochs = 0
    for cell in cells:
        lr = cell["learning_rate"]
        colour = colours.setdefault(lr, f"C{len(colours)}")
        style = "-" if cell["batch_norm"] else "--"
        n_runs = len(cell["runs"])
        label = f"{'batch norm' if cell['batch_norm'] else 'no batch norm'}, lr {lr:g}"
        if cell["diverged"]:
            label += f" ({len(cell['diverged'])} of {n_runs} diverged)"
        v = cell["validation_accuracy"]
        if not v["mean"]:
            ax.plot([], [], style, color=colour, label=label + ": no finished run")
            continue
        x = range(len(v["mean"]))
        epochs = max(epochs, len(v["mean"]))
        ax.fill_between(x, v["min"], v["max"], color=colour, alpha=0.15)
        ax.plot(x, v["mean"], style, color=colour, linewidth=1.6, label=label)
    _notebook(ax)
    return _save(plt, fig, ax, out, epochs)


def picture(draw, log):
    """Draw a PNG; without matplotlib, say how to get it instead of failing a sweep."""
    try:
        log(f"# wrote {draw()}")
    except UserError as e:
        log(f"# no picture: {e}")


class PlotFlag(argparse.Action):
    """``train --plot``: a flag that fails at parse time, not after training, without matplotlib."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        try:
            require_matplotlib()
        except UserError as e:
            parser.error(f"{option_string}: {e}")
        setattr(namespace, self.dest, True)


def plot_after_train(record, checkpoint):
    """``train --plot``: ``curves.png`` beside the checkpoint; returns its path."""
    out = os.path.join(os.path.dirname(os.path.abspath(checkpoint)), "curves.png")
    record = dict(record, path=metrics_file(checkpoint))
    return plot_runs([record], out)


def plot_grid(summary, out, most=4):
    """A grid's curves (series of more than one point, ``most`` at most), one panel each: per
    grid point the seeds' mean and min..max band, the program's recorded run over them."""
    names = []
    for p in summary["points"]:
        names += [n for n, s in p["series"].items() if s["points"] > 1 and n not in names]
    names = names[:most] or [next(n for p in summary["points"] for n in p["series"])]
    plt = pyplot()
    fig, axes = plt.subplots(len(names), 1, figsize=(8, 3.6 * len(names)), dpi=100, squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        for i, p in enumerate(summary["points"]):
            s = p["series"].get(name)
            if s is None:
                continue
            x = [c if c is not None else k for k, c in enumerate(s["counter"])]
            v = s["curve"]
            ax.fill_between(x, v["min"], v["max"], color=f"C{i}", alpha=0.2)
            ax.plot(x, v["mean"], "o-" if len(x) == 1 else "-", color=f"C{i}", linewidth=1.6,
                    label=f"{p['name']}: mean, band min..max of {len(p['finished'])} seeds")
        recorded = summary["recorded"].get(name)
        if recorded:
            x = [c if c is not None else k for k, (c, _) in enumerate(recorded)]
            ax.plot(x, [y for _, y in recorded], "o-" if len(x) > 1 else "*", color="black",
                    markersize=4, linewidth=1.2, label="recorded (the program's saved output)",
                    zorder=5)
        ax.set_ylabel(name)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    axes[0, 0].set_title(f"{os.path.basename(summary['program'])} over "
                         f"{len(summary['seeds'])} seeds")
    axes[-1, 0].set_xlabel("counter (epoch or step, as printed)")
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png")
    plt.close(fig)
    write_atomic(out, png.getvalue())
    return out
