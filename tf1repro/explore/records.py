"""Run records (what ``train`` writes to ``metrics.json``): reading, statistics, compare.

    record = load_run("runs/seed11")            # a folder, its metrics.json or its checkpoint
    rows = compare_rows(record, load_sweep("sweep/sweep.json"))
    print("\\n".join(format_compare(record, rows, "sweep/sweep.json", sweep)))

No TensorFlow, no matplotlib, no Ray: plain JSON and NumPy.
"""

import json
import math
import os

import numpy as np

from tf1repro.errors import UserError
from tf1repro.files import resource_error

# In [21]'s recorded validation accuracies, epochs 0-18 (epoch 19 was cut off).
NOTEBOOK_VALIDATION = [0.9448, 0.9612, 0.9676, 0.9736, 0.9728, 0.9748, 0.9752, 0.9758,
                       0.9768, 0.9754, 0.9768, 0.9786, 0.9784, 0.9776, 0.9798, 0.9796,
                       0.9776, 0.9812, 0.9786]
NOTEBOOK_LABEL = "notebook In [21] (recorded, epochs 0-18)"

# A run whose loss went non-finite, or whose final validation accuracy is at
# or below this (chance is 0.1), learnt nothing: it diverged.
DIVERGED_AT_OR_BELOW = 0.2


def metrics_file(run):
    """The ``metrics.json`` of a RUN: a folder, the file itself, or a checkpoint path."""
    if os.path.isdir(run):
        return os.path.join(run, "metrics.json")
    if run.endswith(".json"):
        return run
    return os.path.join(os.path.dirname(os.path.abspath(run)), "metrics.json")


def load_run(run):
    """The run record ``train`` wrote (see ``train.train_and_evaluate``); UserError if unreadable."""
    path = metrics_file(run)
    try:
        with open(path) as f:
            record = json.load(f)
        curve = [float(e["validation_accuracy"]) for e in record["epochs"]]
    except FileNotFoundError:
        raise UserError(f"{run}: no run record at {path}; 'train' writes metrics.json "
                        "beside its checkpoint") from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        machine = resource_error(e, f"reading {path}", reading=True)
        if machine is not None:  # the disk or memory failed, not the file
            raise machine from None
        raise UserError(f"{path}: not a run record written by 'train' "
                        f"({type(e).__name__}: {e})") from None
    if not curve:
        raise UserError(f"{path}: the run record holds no epochs")
    record["path"] = path
    return record


def load_sweep(path):
    try:
        with open(path) as f:
            summary = json.load(f)
        v = summary["validation_accuracy"]
        if not (len(v["min"]) == len(v["max"]) and isinstance(summary["finished"], list)):
            raise ValueError("min and max differ in length")
    except OSError as e:
        machine = resource_error(e, f"reading {path}", reading=True)
        if machine is not None:
            raise machine from None
        raise UserError(f"{path}: cannot read ({e.strerror or e}); 'sweep' writes "
                        "DIR/sweep.json") from None
    except (ValueError, KeyError, TypeError) as e:
        raise UserError(f"{path}: not a sweep.json written by 'sweep' ({type(e).__name__}: {e})") from None
    return summary


def validation_curve(record):
    return [float(e["validation_accuracy"]) for e in record["epochs"]]


def is_complete(record, epochs):
    return (len(record.get("epochs", [])) == epochs
            and record.get("test_accuracy") is not None)


def diverged(record):
    """True when the run's loss went non-finite or it ended no better than chance."""
    losses = [e.get("mean_loss") for e in record["epochs"]]
    if any(x is None or not math.isfinite(x) for x in losses):
        return True
    final = validation_curve(record)[-1]
    return not math.isfinite(final) or final <= DIVERGED_AT_OR_BELOW


def run_label(record, fallback=""):
    folder = os.path.basename(os.path.dirname(record.get("path", ""))) or fallback
    config = record.get("config", {})
    extra = "" if config.get("batch_norm", True) else ", no batch norm"
    if config.get("learning_rate", 0.1) != 0.1:
        extra += f", lr {config['learning_rate']:g}"
    if config.get("batch_size", 200) != 200:
        extra += f", batch {config['batch_size']}"
    return f"{folder} (seed {record.get('seed')}{extra})"


def finite(values):
    """Non-finite numbers as None, so that the JSON written is standard JSON."""
    return [v if math.isfinite(v) else None for v in values]


# --- statistics ---------------------------------------------------------------------

def band(curves):
    """Per-epoch mean, std (sample, ddof=1; 0 for one run), min and max of equal-length curves."""
    a = np.asarray(curves, dtype=np.float64)  # [runs, epochs]
    if a.ndim != 2 or a.shape[0] == 0:
        return {"mean": [], "std": [], "min": [], "max": []}
    std = a.std(axis=0, ddof=1) if a.shape[0] > 1 else np.zeros(a.shape[1])
    return {"mean": a.mean(axis=0).tolist(), "std": std.tolist(),
            "min": a.min(axis=0).tolist(), "max": a.max(axis=0).tolist()}


def stats(values):
    a = np.asarray(values, dtype=np.float64)
    if a.size == 0:
        return {"mean": None, "std": None, "min": None, "max": None}
    return {"mean": float(a.mean()), "std": float(a.std(ddof=1)) if a.size > 1 else 0.0,
            "min": float(a.min()), "max": float(a.max())}


def notebook_positions(curves, summary):
    """Where each recorded notebook value falls among the sweep's seeds, epoch by epoch."""
    a = np.asarray(curves, dtype=np.float64)  # [runs, epochs]
    rows = []
    for epoch, value in enumerate(NOTEBOOK_VALIDATION):
        if epoch >= len(summary["mean"]):
            break
        column = a[:, epoch]
        std = summary["std"][epoch]
        rows.append({
            "epoch": epoch, "notebook": value,
            "seeds_below": int(np.sum(column < value)),
            "seeds_equal": int(np.sum(column == value)),
            "z": (value - summary["mean"][epoch]) / std if std > 0 else None,
            "inside": summary["min"][epoch] <= value <= summary["max"][epoch],
        })
    return rows


# --- compare -----------------------------------------------------------------------

def compare_rows(record, sweep=None):
    """Per epoch: the run's validation accuracy, the notebook's, the difference and,
    given a sweep, the seed-to-seed spread (the largest difference between two
    of its seeds at that epoch) and whether the difference lies within it."""
    rows = []
    for epoch, ours in enumerate(validation_curve(record)):
        row = {"epoch": epoch, "run": ours, "notebook": None, "difference": None,
               "spread": None, "within": None}
        if epoch < len(NOTEBOOK_VALIDATION):
            row["notebook"] = NOTEBOOK_VALIDATION[epoch]
            row["difference"] = ours - row["notebook"]
        if sweep is not None and epoch < len(sweep["validation_accuracy"]["max"]):
            v = sweep["validation_accuracy"]
            row["spread"] = v["max"][epoch] - v["min"][epoch]
            if row["difference"] is not None:
                # Rounded to the 1/5000 steps validation accuracy moves in.
                row["within"] = round(abs(row["difference"]), 6) <= round(row["spread"], 6)
        rows.append(row)
    return rows


def acc(x):
    return "-" if x is None else f"{x:.4f}"


def _signed(x):
    return "-" if x is None else f"{x:+.4f}"


def aligned(table):
    """Rows of cells as lines, each column padded to its widest cell."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]


def format_compare(record, rows, sweep_path=None, sweep=None):
    lines = [f"# run: {record['path']} (seed {record.get('seed')}, {len(rows)} epochs); "
             "notebook: In [21] as recorded"
             + (f"; seed spread: {sweep_path} ({len(sweep['finished'])} seeds)" if sweep else "")]
    header = ["epoch", "run", "notebook", "difference"]
    if sweep:
        header += ["seed spread", "within spread"]
    table = [header]
    for r in rows:
        cells = [str(r["epoch"]), acc(r["run"]), acc(r["notebook"]), _signed(r["difference"])]
        if sweep:
            within = {None: "-", True: "yes", False: "NO, outside"}[r["within"]]
            cells += ["-" if r["spread"] is None else f"±{r['spread']:.4f}", within]
        table.append(cells)
    lines += aligned(table)
    judged = [r for r in rows if r["within"] is not None]
    if judged:
        inside = sum(r["within"] for r in judged)
        lines.append(f"# {inside} of {len(judged)} differences lie within the seed-to-seed spread "
                     "(the largest difference between two seeds of the sweep at that epoch)")
    elif not sweep:
        lines.append("# give --sweep DIR/sweep.json to judge the differences against the "
                     "seed-to-seed spread")
    return lines
