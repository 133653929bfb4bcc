"""A user's TF 1.x program over seeds and a grid of values: what to run, what finished, the summary.

    with on_ray.Cluster(address=None) as cluster:
        summary = grid("out", "lab.py", [], range(1, 11), {"learning_rate": [0.01, 0.1]},
                       {}, cluster.run)
    print("\\n".join(format_grid(summary)))

Each run is ``program_runs.run_program`` in ``OUT/NAME=VALUE,.../seed-N/``
(``output.log``, ``command.json`` naming the run, ``record.json`` once it
ended).  A run whose ``record.json`` says ``ok`` for the same command (the
program's text included) is not run again; a failed one is, next time.  The
summary reads the series (``series.parse``) from each ``output.log``, so a new
``--pattern`` needs no new runs; where the program carries its recorded output,
each recorded final value is placed among the seeds (z-score, rank).
"""

import ast
import hashlib
import json
import os
import re

import numpy as np

from tf1repro.errors import UserError
from tf1repro.explore import series as parsing
from tf1repro.explore.drawing import picture, plot_grid
from tf1repro.explore.program_runs import OUTPUT, run_program
from tf1repro.explore.records import aligned, band, stats
from tf1repro.files import write_json


def point_name(values):
    """The folder of a grid point: ``learning_rate=0.01,batch_size=100`` (``as-written`` if none)."""
    name = ",".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in values.items())
    return name.replace("/", "_").replace(os.sep, "_") or "as-written"


def points(grid):
    """Every combination of ``{name: [values]}``, the first name slowest."""
    combos = [{}]
    for name, values in grid.items():
        combos = [dict(c, **{name: v}) for c in combos for v in values]
    return combos


def _digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class ProgramRun:
    """One seed of one grid point; ``command`` (in ``command.json``) is its identity."""

    def __init__(self, out, program, args, seed, values, options):
        self.folder = os.path.join(out, point_name(values), f"seed-{seed}")
        self.program, self.args, self.seed, self.values = program, list(args), seed, dict(values)
        self.options = dict(options)
        self.command = {"program": program, "sha256": _digest(program), "args": self.args,
                        "seed": seed, "values": self.values, "options": self.options}
        self.status = self.error = self.output = self.seconds = self.node = None

    def __repr__(self):
        return f"ProgramRun(folder={self.folder!r}, status={self.status!r})"

    def arguments(self, threads, data_dir):
        """``program_runs.run_program``'s arguments (``data_dir``: the program's own business)."""
        return (self.folder, self.program, self.args, self.seed, self.values, self.options, threads)

    def _saved(self, name):
        try:
            with open(os.path.join(self.folder, name)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def other_command(self):
        saved = self._saved("command.json")
        return saved if saved is not None and saved != self.command else None

    def take_finished(self):
        """True (and the run's record taken) when this exact run already ended ``ok``."""
        record = self._saved("record.json")
        if self._saved("command.json") != self.command or not record or record.get("status") != "ok":
            return False
        try:
            with open(os.path.join(self.folder, OUTPUT), errors="replace") as f:
                self.output = f.read()
        except OSError:
            return False
        self.status, self.seconds, self.node = "ok", record.get("seconds"), record.get("node")
        return True

    def settle(self, result, log):
        """Take ``run_program``'s outcome (or Ray's error); keep it in the folder."""
        self.node, self.seconds = result.get("node"), result.get("seconds")
        self.output = result.get("output")
        code = result.get("returncode")
        self.status = "ok" if code == 0 else "failed"
        self.error = None if code == 0 else (result.get("error") or "no error line")
        os.makedirs(self.folder, exist_ok=True)
        if self.output is not None:  # from another node, or this one: the driver keeps it
            path = os.path.join(self.folder, OUTPUT)
            if not os.path.exists(path) or open(path, errors="replace").read() != self.output:
                with open(path, "w") as f:
                    f.write(self.output)
        write_json(os.path.join(self.folder, "command.json"), self.command)
        write_json(os.path.join(self.folder, "record.json"),
                   {"status": self.status, "returncode": code, "error": self.error,
                    "seconds": self.seconds, "node": self.node})
        where = f" on {self.node}" if self.node else ""
        took = f" in {self.seconds:.0f} s" if self.seconds is not None else ""
        log(f"# {self.folder}: {self.status if code == 0 else 'FAILED'}{took}{where}"
            + ("" if code == 0 else f": {self.error}"))


def plan(out, program, args, seeds, grid, options):
    return [ProgramRun(out, program, args, seed, values, options)
            for values in points(grid) for seed in seeds]


def still_to_run(runs, log):
    for run in runs:
        other = run.other_command()
        if other is not None:
            raise UserError(f"{run.folder} holds a run of another command ({other.get('program')} "
                            f"{other.get('values')}, seed {other.get('seed')}, or another text of "
                            "the program); choose another --out or delete that folder")
    todo = [run for run in runs if not run.take_finished()]
    if len(todo) < len(runs):
        log(f"# {len(runs) - len(todo)} of {len(runs)} runs finished already, not run again")
    return todo


def as_written(program, names):
    """{NAME: value} of the program's own first top-level ``NAME = literal`` (the recorded
    run's values); names it does not assign so are left out."""
    try:
        with open(program, encoding="utf-8") as f:
            text = f.read()
        sources = ([("".join(c["source"]) if isinstance(c["source"], list) else c["source"])
                    for c in json.loads(text).get("cells", []) if c.get("cell_type") == "code"]
                   if program.lower().endswith(".ipynb") else [text])
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        return {}
    found = {}
    for source in sources:
        try:
            body = ast.parse(re.sub(r"(?m)^\s*[%!].*$", "pass", source)).body
        except SyntaxError:
            continue
        for stmt in body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in names:
                try:
                    found.setdefault(stmt.targets[0].id, ast.literal_eval(stmt.value))
                except ValueError:
                    pass
    return found


def _place(values, recorded):
    a = np.asarray(values, dtype=np.float64)
    s = stats(values)
    below, equal = int(np.sum(a < recorded)), int(np.sum(a == recorded))
    return {"value": recorded, "z": (recorded - s["mean"]) / s["std"] if s["std"] else None,
            "rank": below + 1, "of": len(values) + 1, "seeds_below": below, "seeds_equal": equal,
            "inside": s["min"] <= recorded <= s["max"]}


def summarise_point(values, runs, recorded, pattern):
    parsed = {r.seed: parsing.parse(r.output or "", pattern) for r in runs if r.status == "ok"}
    names = [n for n in (next(iter(parsed.values())) if parsed else {})
             if all(n in p for p in parsed.values())]
    out = {}
    for name in names:
        finals = {seed: parsing.final(p[name]) for seed, p in parsed.items()}
        length = min(len(p[name]) for p in parsed.values())
        entry = {"final": dict(stats(list(finals.values())), per_seed={str(k): v for k, v in finals.items()}),
                 "points": length,
                 "counter": [x for x, _ in next(iter(parsed.values()))[name][:length]],
                 "curve": band([[y for _, y in p[name][:length]] for p in parsed.values()])}
        if name in recorded:
            entry["recorded"] = _place(list(finals.values()), parsing.final(recorded[name]))
        out[name] = entry
    return {"values": values, "name": point_name(values),
            "runs": [{"seed": r.seed, "folder": r.folder, "status": r.status, "error": r.error,
                      "seconds": r.seconds, "node": r.node} for r in runs],
            "finished": [r.seed for r in runs if r.status == "ok"],
            "failed": [r.seed for r in runs if r.status != "ok"], "series": out}


def grid(out, program, args, seeds, grid_values, options, execute, pattern=None, log=print):
    """Run ``program`` for every seed and grid point; write ``out/grid.json``, ``out/grid.png``."""
    out, program, seeds = os.path.abspath(out), os.path.abspath(program), list(seeds)
    runs = plan(out, program, args, list(seeds), grid_values, options)
    log(f"# {os.path.basename(program)}: seeds {seeds[0]}..{seeds[-1]} through its own seeding "
        "calls (tf.set_random_seed(x), np.random.seed(x), random.seed(x) run with x + seed), "
        f"{len(points(grid_values))} grid point(s) set as -p sets them; runs in {out}")
    todo = still_to_run(runs, log)
    if todo:
        log(f"# running {len(todo)} of {len(runs)} runs")
        execute(todo, log, run_program)
    recorded_text = parsing.recorded_output(program)
    recorded = parsing.parse(recorded_text, pattern)
    summary = {"program": program, "args": list(args), "grid": grid_values, "seeds": list(seeds),
               "pattern": pattern.pattern if pattern is not None else "default",
               "recorded": {k: v for k, v in recorded.items()},
               "as_written": as_written(program, set(grid_values)),
               "points": [summarise_point(values, [r for r in runs if r.values == values],
                                          recorded, pattern) for values in points(grid_values)]}
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "grid.json"), summary)
    log(f"# wrote {os.path.join(out, 'grid.json')}")
    if any(p["series"] for p in summary["points"]):
        picture(lambda: plot_grid(summary, os.path.join(out, "grid.png")), log)
    return summary


def _num(x):
    return "-" if x is None else f"{x:.4g}"


def format_grid(summary):
    n_seeds = len(summary["seeds"])
    lines = [f"# {os.path.basename(summary['program'])}: {n_seeds} seeds x "
             f"{len(summary['points'])} grid point(s); final value of each series: mean ± std "
             "(sample), min–max over the seeds that finished"
             + ("; recorded: the program's own saved output" if summary["recorded"] else "")]
    table = [["grid point", "series", "seeds", "final mean ± std", "min–max", "recorded", "z",
              "rank"]]
    own = summary.get("as_written", {})
    for p in summary["points"]:
        if own and all(own.get(k, object()) == v for k, v in p["values"].items()):
            p = dict(p, name=p["name"] + " (as written)")
        if not p["series"]:
            table.append([p["name"], "-", f"0 of {n_seeds}", "-", "-", "-", "-", "-"])
        for name, s in p["series"].items():
            f, r = s["final"], s.get("recorded")
            table.append([p["name"], name, f"{len(p['finished'])} of {n_seeds}",
                          f"{_num(f['mean'])} ± {_num(f['std'])}",
                          f"{_num(f['min'])}–{_num(f['max'])}", _num(r["value"]) if r else "-",
                          ("-" if r["z"] is None else f"{round(r['z'], 2) + 0.0:+.2f}") if r else "-",
                          f"{r['rank']} of {r['of']}" if r else "-"])
    lines += aligned(table)
    for p in summary["points"]:
        for run in p["runs"]:
            if run["status"] != "ok":
                lines.append(f"# FAILED {p['name']} seed {run['seed']}: {run['error']}")
    return lines
