"""Seed sweeps and the batch-norm ablation: what to train, what finished, the summaries.

    with on_ray.Cluster(address=None) as cluster:        # this machine, or a cluster
        summary = sweep("sweep", range(1, 6), 20, {"batch_size": 1000}, cluster.run)
    print("\\n".join(format_sweep(summary)))

Every training is ``runs.start.train`` of ``OUT/.../seed-N/my_model_final.ckpt``
with the seed, the epochs and the sweep's flags (``{"batch_size": 1000}``),
in a folder of its own; its ``argv``, the same as ``train`` flags, names it.
``execute(todo, log)`` (``on_ray.Cluster.run``) trains the runs that have not
finished and fills in their status; this module plans and summarises, and
holds no training logic.  A run whose ``metrics.json`` is complete for the
same flags is not trained again.
"""

import json
import os

from tf1repro.explore.drawing import picture, plot_ablation, plot_sweep
from tf1repro.errors import UserError
from tf1repro.files import write_json
from tf1repro.explore.records import (NOTEBOOK_VALIDATION, acc, aligned, band, diverged, finite,
                              is_complete, load_run, notebook_positions, stats, validation_curve)

CHECKPOINT_NAME = "my_model_final.ckpt"
# The train flag of each of a sweep's flags (its keys: Config fields and ``loop``).
FLAGS = {"batch_size": "--batch-size", "learning_rate": "--learning-rate",
         "variant": "--variant", "loop": "--loop", "batch_norm": "--no-batch-norm"}


def argv_of(flags):
    """``flags`` (``{"batch_size": 1000, "batch_norm": False}``) as train flags, in their order."""
    argv = []
    for key, value in dict(flags).items():
        if key == "batch_norm":
            argv += [] if value else [FLAGS[key]]
        else:
            argv += [FLAGS[key], repr(value) if isinstance(value, float) else str(value)]
    return argv


class Run:
    """One training of a sweep in ``folder``: the flags ``train`` would take (``argv``, its
    identity in ``command.json``) and the same as ``runs.start.train``'s arguments."""

    def __init__(self, folder, seed, epochs, flags):
        self.folder, self.seed, self.epochs = folder, seed, epochs
        self.checkpoint = os.path.join(folder, CHECKPOINT_NAME)
        flags = dict(flags)
        self.argv = ["--seed", str(seed), "--epochs", str(epochs),
                     "--checkpoint", self.checkpoint, *argv_of(flags)]
        self.loop = flags.pop("loop", None)
        self.overrides = dict(flags, seed=seed, epochs=epochs)  # Config fields
        self.status = self.error = self.record = self.seconds = self.node = None

    def __repr__(self):
        return f"Run(folder={self.folder!r}, seed={self.seed}, status={self.status!r})"

    def path(self, name):
        return os.path.join(self.folder, name)

    def arguments(self, threads, data_dir):
        """``on_ray.train_run``'s arguments for this training."""
        return (self.folder, self.argv, self.checkpoint, self.overrides, self.loop, threads,
                data_dir)

    def _saved(self, name):
        try:
            with open(self.path(name)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def finished_record(self):
        """The run record if this exact training already finished here, else None."""
        command = self._saved("command.json")
        if not isinstance(command, dict) or command.get("argv") != self.argv:
            return None
        try:
            record = load_run(self.folder)
        except UserError:
            return None
        return record if is_complete(record, self.epochs) else None

    def stopped_diverged(self):
        """The error of this exact training if it was already stopped for diverging, else None."""
        saved = self._saved("diverged.json")
        ok = isinstance(saved, dict) and saved.get("argv") == self.argv
        return saved.get("error") if ok else None

    def trained_with_other_flags(self):
        command = self._saved("command.json")
        argv = command.get("argv") if isinstance(command, dict) else None
        return argv if argv is not None and argv != self.argv else None

    def settle(self, result, log):
        """Take a training's outcome (``on_ray.train_run``'s dict); keep it in the folder."""
        self.node, self.seconds = result.get("node"), result.get("seconds")
        record, code = result.get("record"), result.get("returncode")
        where = f" on {self.node}" if self.node else ""
        if record is not None and is_complete(record, self.epochs):
            self.record, self.status = record, "diverged" if diverged(record) else "ok"
            if self.finished_record() is None:  # trained on another node: keep its record here
                os.makedirs(self.folder, exist_ok=True)
                write_json(self.path("metrics.json"), {k: v for k, v in record.items() if k != "path"})
                write_json(self.path("command.json"), {"argv": self.argv})
            log(f"# {self.folder}: {self.status} in {self.seconds:.0f} s{where}; validation "
                f"{acc(validation_curve(record)[-1])} (epoch {len(record['epochs']) - 1}), "
                f"test {acc(record['test_accuracy'])}")
            return
        self.error = result.get("error") or "no error line"
        text = self.error.lower()
        # The training loop stops a run whose loss went non-finite, naming epoch and step.
        if code not in (0, None) and ("non-finite" in text or "diverged" in text):
            self.status = "diverged"
            os.makedirs(self.folder, exist_ok=True)
            write_json(self.path("diverged.json"), {"argv": self.argv, "error": self.error})
        else:
            self.status = "failed"
            if code == 0:
                self.error = "exited 0 but left no complete metrics.json"
        log(f"# {self.folder}: {self.status.upper()} (exit code {code}): {self.error}; "
            f"log: {self.path('train.log')}{where}")


def seed_runs(out, seeds, epochs, flags):
    out = os.path.abspath(out)
    return [Run(os.path.join(out, f"seed-{seed}"), seed, epochs, flags) for seed in seeds]


def still_to_train(runs, log):
    """The runs not finished yet; the others get their saved status.  UserError on a
    folder trained with other flags, before anything is trained."""
    for run in runs:
        other = run.trained_with_other_flags()
        if other is not None:
            raise UserError(f"{run.folder} holds a training with other flags ({' '.join(other)}); "
                            "choose another --out or delete that folder")
    todo = []
    for run in runs:
        record = run.finished_record()
        if record is not None:
            run.record, run.seconds = record, sum(e.get("seconds", 0) for e in record["epochs"])
            run.status = "diverged" if diverged(record) else "ok"
        elif run.stopped_diverged() is not None:
            run.status, run.error = "diverged", run.stopped_diverged()
        else:
            todo.append(run)
            continue
        log(f"# {run.folder}: trained already ({run.status}), not trained again")
    return todo


def summarise(runs, epochs):
    finished = [r for r in runs if r.status == "ok"]
    return {
        "epochs": epochs,
        "seeds": [r.seed for r in runs],
        "runs": [{"seed": r.seed, "folder": r.folder, "status": r.status, "error": r.error,
                  "node": r.node,
                  "validation_accuracy": finite(validation_curve(r.record)) if r.record else None,
                  "test_accuracy": r.record["test_accuracy"] if r.record else None,
                  "seconds": r.seconds} for r in runs],
        "finished": [r.seed for r in finished],
        "diverged": [r.seed for r in runs if r.status == "diverged"],
        "failed": [r.seed for r in runs if r.status == "failed"],
        "validation_accuracy": band([validation_curve(r.record) for r in finished]),
        "test_accuracy": dict(stats([r.record["test_accuracy"] for r in finished]),
                              per_seed={str(r.seed): r.record["test_accuracy"] for r in finished}),
    }


def _train(runs, execute, log):
    todo = still_to_train(runs, log)
    if todo:
        log(f"# training {len(todo)} of {len(runs)} runs")
        execute(todo, log)


def sweep(out, seeds, epochs, flags, execute, log=print):
    """Train ``seeds`` (e.g. range(1, 6)) with ``flags`` (``{"batch_size": 1000}``, see
    ``argv_of``); write ``out/sweep.json`` and ``out/sweep.png``.

    Returns the summary written to ``sweep.json``: per-epoch mean, std, min
    and max of validation accuracy over the seeds that finished, test
    accuracy per seed, the node of each run, the seeds that failed or
    diverged, and where the notebook's recorded values fall.
    """
    runs = seed_runs(out, seeds, epochs, flags)
    _train(runs, execute, log)
    summary = summarise(runs, epochs)
    summary["train_flags"] = argv_of(flags)
    curves = [validation_curve(r.record) for r in runs if r.status == "ok"]
    summary["notebook"] = {"validation_accuracy": NOTEBOOK_VALIDATION, "positions": (
        notebook_positions(curves, summary["validation_accuracy"]) if curves else [])}
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "sweep.json"), summary)
    log(f"# wrote {os.path.join(out, 'sweep.json')}")
    if curves:
        flags = " ".join(summary["train_flags"])
        title = (f"Validation accuracy of {len(curves)} seeds"
                 + (f" ({flags})" if flags else ", the notebook's settings"))
        picture(lambda: plot_sweep(summary, os.path.join(out, "sweep.png"), title), log)
    return summary


def ablation(out, seeds, learning_rates, epochs, flags, execute, log=print):
    """With and without batch norm, at each learning rate, over ``seeds``; writes
    ``out/ablation.json`` and ``out/ablation.png`` and returns the cells."""
    cells = []
    for batch_norm in (True, False):
        for lr in learning_rates:
            name = f"{'bn' if batch_norm else 'no-bn'}-lr{lr:g}"
            cell_flags = {"learning_rate": float(lr), **dict(flags)}
            if not batch_norm:
                cell_flags["batch_norm"] = False
            cells.append({"name": name, "batch_norm": batch_norm, "learning_rate": float(lr),
                          "runs": seed_runs(os.path.join(out, name), seeds, epochs, cell_flags)})
    _train([run for cell in cells for run in cell["runs"]], execute, log)
    for cell in cells:
        runs = cell.pop("runs")
        cell.update(summarise(runs, epochs))
        cell["final_validation_accuracy"] = stats(
            [validation_curve(r.record)[-1] for r in runs if r.status == "ok"])
    result = {"epochs": epochs, "seeds": list(seeds), "learning_rates": list(learning_rates),
              "train_flags": argv_of(flags), "cells": cells}
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "ablation.json"), result)
    log(f"# wrote {os.path.join(out, 'ablation.json')}")
    title = f"Batch norm ablation: mean of {len(seeds)} seeds, band min..max"
    picture(lambda: plot_ablation(cells, os.path.join(out, "ablation.png"), title), log)
    return result


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
    per_seed = ", ".join(f"{s}: {acc(a)}" for s, a in t["per_seed"].items())
    lines.append(f"# test accuracy {t['mean']:.4f} ± {t['std']:.4f} (seed: {per_seed})")
    table = [["epoch", "notebook", "mean ± std", "min", "max", "z", "notebook's place"]]
    positions = {p["epoch"]: p for p in summary["notebook"]["positions"]}
    for epoch in range(len(v["mean"])):
        p = positions.get(epoch)
        row = [str(epoch), acc(p["notebook"]) if p else "-",
               f"{v['mean'][epoch]:.4f} ± {v['std'][epoch]:.4f}",
               acc(v["min"][epoch]), acc(v["max"][epoch])]
        if p:
            row.append("-" if p["z"] is None else f"{round(p['z'], 1) + 0.0:+.1f}")
            row.append(_place(p, n))
        else:
            row += ["-", "-"]
        table.append(row)
    lines += aligned(table)
    if positions:
        inside = sum(p["inside"] for p in positions.values())
        lines.append(f"# {inside} of {len(positions)} recorded notebook values lie within the "
                     "sweep's min..max")
    return lines


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
            "mean ± std over the runs that did not diverge"] + aligned(table)
