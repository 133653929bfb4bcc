"""Look at runs, compare them with the notebook, sweep seeds, ablate batch norm.

    ./run.sh plot RUN [RUN ...] -o curves.png      validation accuracy per epoch, notebook's over it
    ./run.sh compare RUN [--sweep DIR/sweep.json]  per epoch: run, notebook, difference, seed spread
    ./run.sh sweep --seeds 5 [--jobs 2] [--epochs 20] [--out DIR] [train flags]
    ./run.sh ablation [--seeds 3] [--learning-rates 0.01,0.1,1.0]

A RUN is what ``train`` wrote: its folder, the ``metrics.json`` in it, or the
checkpoint path.  A sweep runs ``python -m tf1repro train`` once per seed
(seeds 1..N), J processes at a time with cores // J threads each, every seed
in ``DIR/seed-N/``, then summarises their ``metrics.json``.  A seed whose
``metrics.json`` is complete is not trained again, so an interrupted sweep
picks up where it stopped.  Drawing needs matplotlib (``pip install -e
.[plot]``), imported only when a picture is drawn.
"""

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np

from tf1repro.files import write_json
from tf1repro.errors import UserError

# In [21]'s recorded validation accuracies, epochs 0-18 (epoch 19 was cut off).
NOTEBOOK_VALIDATION = [0.9448, 0.9612, 0.9676, 0.9736, 0.9728, 0.9748, 0.9752, 0.9758,
                       0.9768, 0.9754, 0.9768, 0.9786, 0.9784, 0.9776, 0.9798, 0.9796,
                       0.9776, 0.9812, 0.9786]
NOTEBOOK_LABEL = "notebook In [21] (recorded, epochs 0-18)"

# A run whose loss went non-finite, or whose final validation accuracy is at
# or below this (chance is 0.1), learnt nothing: it diverged.
DIVERGED_AT_OR_BELOW = 0.2
CHECKPOINT_NAME = "my_model_final.ckpt"
PLOT_HINT = "drawing needs matplotlib: pip install -e .[plot] (./run.sh installs it)"


# --- run records ----------------------------------------------------------------

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
        raise UserError(f"{path}: not a run record written by 'train' "
                        f"({type(e).__name__}: {e})") from None
    if not curve:
        raise UserError(f"{path}: the run record holds no epochs")
    record["path"] = path
    return record


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


def _acc(x):
    return "-" if x is None else f"{x:.4f}"


def _signed(x):
    return "-" if x is None else f"{x:+.4f}"


def format_compare(record, rows, sweep_path=None, sweep=None):
    lines = [f"# run: {record['path']} (seed {record.get('seed')}, {len(rows)} epochs); "
             "notebook: In [21] as recorded"
             + (f"; seed spread: {sweep_path} ({len(sweep['finished'])} seeds)" if sweep else "")]
    header = ["epoch", "run", "notebook", "difference"]
    if sweep:
        header += ["seed spread", "within spread"]
    table = [header]
    for r in rows:
        cells = [str(r["epoch"]), _acc(r["run"]), _acc(r["notebook"]), _signed(r["difference"])]
        if sweep:
            within = {None: "-", True: "yes", False: "NO, outside"}[r["within"]]
            cells += ["-" if r["spread"] is None else f"±{r['spread']:.4f}", within]
        table.append(cells)
    lines += _aligned(table)
    judged = [r for r in rows if r["within"] is not None]
    if judged:
        inside = sum(r["within"] for r in judged)
        lines.append(f"# {inside} of {len(judged)} differences lie within the seed-to-seed spread "
                     "(the largest difference between two seeds of the sweep at that epoch)")
    elif not sweep:
        lines.append("# give --sweep DIR/sweep.json to judge the differences against the "
                     "seed-to-seed spread")
    return lines


def _aligned(table):
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]


# --- pictures -------------------------------------------------------------------------

def pyplot():
    """matplotlib.pyplot on the Agg backend (files only), or UserError saying how to get it."""
    try:
        import matplotlib
    except ImportError:
        raise UserError(PLOT_HINT) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


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
    folder = os.path.dirname(os.path.abspath(out))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(out, format="png")
    plt.close(fig)
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


def require_matplotlib():
    pyplot()


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


# --- running trainings ------------------------------------------------------------

class Job:
    """One training: ``python -m tf1repro train ARGV``, in its own folder."""

    def __init__(self, folder, seed, argv, epochs):
        self.folder, self.seed, self.argv, self.epochs = folder, seed, argv, epochs
        self.status, self.error, self.record, self.seconds = None, None, None, None

    def __repr__(self):
        return f"Job(folder={self.folder!r}, seed={self.seed}, status={self.status!r})"

    @property
    def log_path(self):
        return os.path.join(self.folder, "train.log")

    @property
    def command_path(self):
        return os.path.join(self.folder, "command.json")

    @property
    def diverged_path(self):
        return os.path.join(self.folder, "diverged.json")

    def finished_record(self):
        """The run record if this exact training already finished here, else None."""
        try:
            with open(self.command_path) as f:
                if json.load(f)["argv"] != self.argv:
                    return None
            record = load_run(self.folder)
        except (OSError, ValueError, KeyError, TypeError, UserError):
            return None
        return record if is_complete(record, self.epochs) else None

    def stopped_diverged(self):
        """The error of this exact training if it was already stopped for diverging, else None."""
        try:
            with open(self.diverged_path) as f:
                saved = json.load(f)
            return saved["error"] if saved["argv"] == self.argv else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def trained_with_other_flags(self):
        try:
            with open(self.command_path) as f:
                argv = json.load(f)["argv"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return argv if argv != self.argv else None


def seed_jobs(out, seeds, epochs, train_flags):
    jobs = []
    for seed in seeds:
        folder = os.path.join(out, f"seed-{seed}")
        argv = ["--seed", str(seed), "--epochs", str(epochs),
                "--checkpoint", os.path.join(folder, CHECKPOINT_NAME), *train_flags]
        jobs.append(Job(folder, seed, argv, epochs))
    return jobs


def _last_error(log_path):
    try:
        with open(log_path, errors="replace") as f:
            lines = [ln.strip() for ln in f if ln.strip()]
    except OSError:
        return "no log"
    errors = [ln for ln in lines if ln.startswith("tf1repro: error:") or "Error" in ln]
    return (errors or lines or ["no output"])[-1]


def _finish(job, returncode, log):
    record = job.finished_record() if returncode == 0 else None
    if record is not None:
        job.record = record
        job.status = "diverged" if diverged(record) else "ok"
        final = validation_curve(record)[-1]
        log(f"# {job.folder}: {job.status} in {job.seconds:.0f} s; validation "
            f"{_acc(final)} (epoch {len(record['epochs']) - 1}), test {_acc(record['test_accuracy'])}")
        return
    job.error = _last_error(job.log_path)
    text = job.error.lower()
    # The training loop stops a run whose loss went non-finite, naming epoch and step.
    if returncode != 0 and ("non-finite" in text or "diverged" in text):
        job.status = "diverged"
        write_json(job.diverged_path, {"argv": job.argv, "error": job.error})
    else:
        job.status = "failed"
        if returncode == 0:
            job.error = "exited 0 but left no complete metrics.json"
    log(f"# {job.folder}: {job.status.upper()} (exit code {returncode}): {job.error}; "
        f"log: {job.log_path}")


def run_jobs(jobs, parallel, log, poll=0.2):
    """Train every job not already finished, ``parallel`` at a time; fill in status and record.

    Each process gets cores // parallel threads (``TF1REPRO_THREADS``).
    Interrupted (Ctrl-C), the trainings still running are stopped and the
    interruption goes on to the caller; finished seeds keep their records.
    """
    for job in jobs:
        other = job.trained_with_other_flags()
        if other is not None:
            raise UserError(f"{job.folder} holds a training with other flags ({' '.join(other)}); "
                            "choose another --out or delete that folder")
    todo = []
    for job in jobs:
        record = job.finished_record()
        if record is not None:
            job.record, job.seconds = record, sum(e.get("seconds", 0) for e in record["epochs"])
            job.status = "diverged" if diverged(record) else "ok"
        elif job.stopped_diverged() is not None:
            job.status, job.error = "diverged", job.stopped_diverged()
        else:
            todo.append(job)
            continue
        log(f"# {job.folder}: trained already ({job.status}), not trained again")
    if not todo:
        return jobs
    parallel = max(1, min(parallel, len(todo)))
    threads = max(1, (os.cpu_count() or 1) // parallel)
    env = dict(os.environ, TF1REPRO_THREADS=str(threads))
    log(f"# training {len(todo)} of {len(jobs)} runs, {parallel} at a time, "
        f"{threads} thread{'s' if threads > 1 else ''} each")
    running = {}  # Popen -> (job, start time, log file)
    queue = list(todo)
    restore = _sigterm_interrupts()
    try:
        while queue or running:
            while queue and len(running) < parallel:
                job = queue.pop(0)
                os.makedirs(job.folder, exist_ok=True)
                write_json(job.command_path, {"argv": job.argv})
                out = open(job.log_path, "w")
                cmd = [sys.executable, "-m", "tf1repro", "train", *job.argv]
                proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=env)
                running[proc] = (job, time.perf_counter(), out)
            time.sleep(poll)
            for proc in [p for p in running if p.poll() is not None]:
                job, start, out = running.pop(proc)
                out.close()
                job.seconds = time.perf_counter() - start
                _finish(job, proc.returncode, log)
    finally:
        for proc, (job, _, out) in running.items():
            proc.terminate()
        for proc, (job, _, out) in running.items():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            out.close()
        restore()
    return jobs


def _sigterm_interrupts():
    """Make SIGTERM interrupt like Ctrl-C, so the trainings started are stopped too."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, previous)


def _summary(jobs, epochs):
    finished = [j for j in jobs if j.status == "ok"]
    curves = [validation_curve(j.record) for j in finished]
    return {
        "epochs": epochs,
        "seeds": [j.seed for j in jobs],
        "runs": [{"seed": j.seed, "folder": j.folder, "status": j.status, "error": j.error,
                  "validation_accuracy": _finite(validation_curve(j.record)) if j.record else None,
                  "test_accuracy": j.record["test_accuracy"] if j.record else None,
                  "seconds": j.seconds} for j in jobs],
        "finished": [j.seed for j in finished],
        "diverged": [j.seed for j in jobs if j.status == "diverged"],
        "failed": [j.seed for j in jobs if j.status == "failed"],
        "validation_accuracy": band(curves),
        "test_accuracy": dict(stats([j.record["test_accuracy"] for j in finished]),
                              per_seed={str(j.seed): j.record["test_accuracy"] for j in finished}),
    }


def _finite(values):
    """Non-finite numbers as None, so that the JSON written is standard JSON."""
    return [v if math.isfinite(v) else None for v in values]


def _picture(draw, log):
    """Draw a PNG; without matplotlib, say how to get it instead of failing the sweep."""
    try:
        log(f"# wrote {draw()}")
    except UserError as e:
        log(f"# no picture: {e}")


# --- sweep ----------------------------------------------------------------------------

def sweep(out, seeds, epochs, train_flags=(), jobs=None, log=print, data_dir=None):
    """Train ``seeds`` (e.g. range(1, 6)) and write ``out/sweep.json`` and ``out/sweep.png``.

    Returns the summary written to ``sweep.json``: per-epoch mean, std, min
    and max of validation accuracy over the seeds that finished, test
    accuracy per seed, the seeds that failed or diverged, and where the
    notebook's recorded values fall.
    """
    train_flags = list(train_flags)
    _provision(data_dir, log)
    if data_dir:
        train_flags += ["--data-dir", data_dir]
    os.makedirs(out, exist_ok=True)
    job_list = seed_jobs(out, seeds, epochs, train_flags)
    run_jobs(job_list, jobs or os.cpu_count() or 1, log)
    summary = _summary(job_list, epochs)
    summary["train_flags"] = train_flags
    summary["notebook"] = {"validation_accuracy": NOTEBOOK_VALIDATION,
                           "positions": notebook_positions(
                               [validation_curve(j.record) for j in job_list if j.status == "ok"],
                               summary["validation_accuracy"])
                           if summary["finished"] else []}
    write_json(os.path.join(out, "sweep.json"), summary)
    log(f"# wrote {os.path.join(out, 'sweep.json')}")
    if summary["finished"]:
        flags = " ".join(f for f in train_flags if f != "--data-dir" and f != data_dir)
        title = (f"Validation accuracy of {len(summary['finished'])} seeds"
                 + (f" ({flags})" if flags else ", the notebook's settings"))
        _picture(lambda: plot_sweep(summary, os.path.join(out, "sweep.png"), title), log)
    return summary


def _provision(data_dir, log):
    # Once here, so that parallel trainings do not all fetch MNIST at once.
    from tf1repro.provision import default_data_dir, ensure_mnist
    folder = os.path.expanduser(data_dir or default_data_dir())
    log(f"# data: {folder} ({ensure_mnist(folder, log=lambda line: log(f'# {line}'))})")


def _place(p, n):
    below, equal = p["seeds_below"], p["seeds_equal"]
    if below == n:
        return f"above all {n} seeds"
    if below == 0 and equal == 0:
        return f"below all {n} seeds"
    return f"above {below} of {n} seeds" + (f", equal to {equal}" if equal else "")


def format_sweep(summary):
    v = summary["validation_accuracy"]
    n = len(summary["finished"])
    lines = [f"# {n} of {len(summary['seeds'])} seeds finished"
             + (f"; diverged: {summary['diverged']}" if summary["diverged"] else "")
             + (f"; FAILED: {summary['failed']}" if summary["failed"] else "")]
    if not n:
        return lines
    t = summary["test_accuracy"]
    per_seed = ", ".join(f"{s}: {_acc(a)}" for s, a in t["per_seed"].items())
    lines.append(f"# test accuracy {t['mean']:.4f} ± {t['std']:.4f} (seed: {per_seed})")
    table = [["epoch", "notebook", "mean ± std", "min", "max", "z", "notebook's place"]]
    positions = {p["epoch"]: p for p in summary["notebook"]["positions"]}
    for epoch in range(len(v["mean"])):
        p = positions.get(epoch)
        row = [str(epoch), _acc(p["notebook"]) if p else "-",
               f"{v['mean'][epoch]:.4f} ± {v['std'][epoch]:.4f}",
               _acc(v["min"][epoch]), _acc(v["max"][epoch])]
        if p:
            row.append("-" if p["z"] is None else f"{round(p['z'], 1) + 0.0:+.1f}")
            row.append(_place(p, n))
        else:
            row += ["-", "-"]
        table.append(row)
    lines += _aligned(table)
    if positions:
        inside = sum(p["inside"] for p in positions.values())
        lines.append(f"# {inside} of {len(positions)} recorded notebook values lie within the "
                     "sweep's min..max")
    return lines


# --- ablation -------------------------------------------------------------------------

def ablation(out, seeds, learning_rates, epochs, train_flags=(), jobs=None, log=print,
             data_dir=None):
    """With and without batch norm, at each learning rate, over ``seeds``; writes
    ``out/ablation.json`` and ``out/ablation.png`` and returns the cells."""
    train_flags = list(train_flags)
    _provision(data_dir, log)
    if data_dir:
        train_flags += ["--data-dir", data_dir]
    cells, all_jobs = [], []
    for batch_norm in (True, False):
        for lr in learning_rates:
            name = f"{'bn' if batch_norm else 'no-bn'}-lr{lr:g}"
            flags = ["--learning-rate", repr(float(lr)), *train_flags]
            if not batch_norm:
                flags.append("--no-batch-norm")
            job_list = seed_jobs(os.path.join(out, name), seeds, epochs, flags)
            cells.append({"name": name, "batch_norm": batch_norm, "learning_rate": float(lr),
                          "jobs": job_list})
            all_jobs += job_list
    os.makedirs(out, exist_ok=True)
    run_jobs(all_jobs, jobs or os.cpu_count() or 1, log)
    for cell in cells:
        job_list = cell.pop("jobs")
        summary = _summary(job_list, epochs)
        finished = [j for j in job_list if j.status == "ok"]
        cell.update(summary)
        cell["final_validation_accuracy"] = stats(
            [validation_curve(j.record)[-1] for j in finished])
    result = {"epochs": epochs, "seeds": list(seeds), "learning_rates": list(learning_rates),
              "train_flags": train_flags, "cells": cells}
    write_json(os.path.join(out, "ablation.json"), result)
    log(f"# wrote {os.path.join(out, 'ablation.json')}")
    title = f"Batch norm ablation: mean of {len(seeds)} seeds, band min..max"
    _picture(lambda: plot_ablation(cells, os.path.join(out, "ablation.png"), title), log)
    return result


def _mean_std(s):
    return "-" if s["mean"] is None else f"{s['mean']:.4f} ± {s['std']:.4f}"


def format_ablation(result):
    table = [["batch norm", "learning rate", "final validation", "test", "diverged", "failed"]]
    for cell in result["cells"]:
        n = len(cell["runs"])
        table.append(["yes" if cell["batch_norm"] else "no", f"{cell['learning_rate']:g}",
                      _mean_std(cell["final_validation_accuracy"]),
                      _mean_std(cell["test_accuracy"]),
                      f"{len(cell['diverged'])} of {n}", f"{len(cell['failed'])} of {n}"])
    return [f"# {len(result['seeds'])} seeds x {result['epochs']} epochs per cell; "
            "mean ± std over the runs that did not diverge"] + _aligned(table)


# --- command line ---------------------------------------------------------------------

def _learning_rates(text):
    from tf1repro.cli import _positive_float
    parts = [part.strip() for part in text.split(",")]
    try:
        return [_positive_float(part) for part in parts]
    except argparse.ArgumentTypeError as e:
        raise argparse.ArgumentTypeError(f"{e} in {text!r} (expected e.g. 0.01,0.1,1.0)")


def add_commands(sub):
    """Register plot, compare, sweep and ablation on the CLI's subparsers."""
    from tf1repro import cli
    from tf1repro.config import LOOPS, VARIANTS, Config

    defaults = Config()
    fmt = argparse.ArgumentDefaultsHelpFormatter

    p = sub.add_parser("plot", formatter_class=fmt,
                       help="draw validation accuracy per epoch of runs over the notebook's")
    p.add_argument("runs", nargs="+", metavar="RUN",
                   help="a folder written by train, its metrics.json, or its checkpoint path")
    p.add_argument("-o", "--output", metavar="PNG", default="curves.png", help="picture to write")
    p.add_argument("--label", action="append", metavar="TEXT",
                   help="legend label, once per RUN in order (default: folder and seed)")
    p.set_defaults(handler=cmd_plot)

    c = sub.add_parser("compare", formatter_class=fmt,
                       help="per epoch: a run's validation accuracy, the notebook's, the difference")
    c.add_argument("run", metavar="RUN",
                   help="a folder written by train, its metrics.json, or its checkpoint path")
    c.add_argument("--sweep", metavar="SWEEP_JSON", default=None,
                   help="a sweep.json: judge each difference against its seed-to-seed spread")
    c.set_defaults(handler=cmd_compare)

    def common(p, seeds, out):
        p.add_argument("--seeds", type=cli._positive_int, default=seeds,
                       help="how many seeds: 1 .. N")
        p.add_argument("--jobs", type=cli._positive_int, default=os.cpu_count() or 1,
                       help="trainings at a time (each gets cores // jobs threads)")
        p.add_argument("--epochs", type=cli._positive_int, default=defaults.epochs,
                       help="epochs per training")
        p.add_argument("--out", metavar="DIR", default=out,
                       help="folder for the trainings (seed-N/) and the summary")
        p.add_argument("--batch-size", type=cli._positive_int, default=defaults.batch_size,
                       help="train flag")
        cli._add_data_dir(p)

    s = sub.add_parser("sweep", formatter_class=fmt,
                       help="train N seeds in parallel; per-epoch band of validation accuracy")
    common(s, 5, "sweep")
    s.add_argument("--learning-rate", type=cli._positive_float, default=defaults.learning_rate,
                   help="train flag")
    s.add_argument("--variant", choices=VARIANTS, default=defaults.variant, help="train flag")
    s.add_argument("--loop", choices=LOOPS, default=LOOPS[0], help="train flag")
    s.add_argument("--no-batch-norm", dest="batch_norm", action="store_false",
                   help="train flag: the network without batch norm")
    s.set_defaults(handler=cmd_sweep)

    a = sub.add_parser("ablation", formatter_class=fmt,
                       help="sweep with and without batch norm over learning rates")
    common(a, 3, "ablation")
    a.add_argument("--learning-rates", type=_learning_rates, default=[0.01, 0.1, 1.0],
                   metavar="LR,LR,...", help="learning rates to try")
    a.set_defaults(handler=cmd_ablation)


def cmd_plot(args, log):
    records = [load_run(run) for run in args.runs]
    if args.label and len(args.label) != len(records):
        raise UserError(f"{len(args.label)} --label for {len(records)} runs: give one per RUN")
    log(f"# wrote {plot_runs(records, args.output, labels=args.label)}")


def load_sweep(path):
    try:
        with open(path) as f:
            summary = json.load(f)
        v = summary["validation_accuracy"]
        if not (len(v["min"]) == len(v["max"]) and isinstance(summary["finished"], list)):
            raise ValueError("min and max differ in length")
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror or e}); 'sweep' writes "
                        "DIR/sweep.json") from None
    except (ValueError, KeyError, TypeError) as e:
        raise UserError(f"{path}: not a sweep.json written by 'sweep' ({type(e).__name__}: {e})") from None
    return summary


def cmd_compare(args, log):
    record = load_run(args.run)
    summary = load_sweep(args.sweep) if args.sweep else None
    for line in format_compare(record, compare_rows(record, summary), args.sweep, summary):
        log(line)


def _train_flags(args):
    """The train flags a sweep passes on: those that differ from train's defaults."""
    from tf1repro.config import LOOPS, Config
    defaults = Config()
    flags = []
    if args.batch_size != defaults.batch_size:
        flags += ["--batch-size", str(args.batch_size)]
    if getattr(args, "learning_rate", defaults.learning_rate) != defaults.learning_rate:
        flags += ["--learning-rate", repr(args.learning_rate)]
    if getattr(args, "variant", defaults.variant) != defaults.variant:
        flags += ["--variant", args.variant]
    if getattr(args, "loop", LOOPS[0]) != LOOPS[0]:
        flags += ["--loop", args.loop]
    if not getattr(args, "batch_norm", True):
        flags.append("--no-batch-norm")
    return flags


def cmd_sweep(args, log):
    summary = sweep(args.out, range(1, args.seeds + 1), args.epochs, _train_flags(args),
                    jobs=args.jobs, log=log, data_dir=args.data_dir)
    for line in format_sweep(summary):
        log(line)
    return 1 if summary["failed"] else 0


def cmd_ablation(args, log):
    result = ablation(args.out, range(1, args.seeds + 1), args.learning_rates, args.epochs,
                      _train_flags(args), jobs=args.jobs, log=log, data_dir=args.data_dir)
    for line in format_ablation(result):
        log(line)
    return 1 if any(cell["failed"] for cell in result["cells"]) else 0
