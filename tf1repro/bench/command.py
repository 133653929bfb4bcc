"""Side-by-side speed of the training paths and their peers.

    ./run.sh bench [--epochs 20] [--repeats 3] [--json bench.json]

Each contender (``contenders``) runs in its own process (``python -m
tf1repro.bench.contenders --worker NAME``), the contenders alternating,
``--repeats`` times; the table shows medians.  A worker loads the data first and then times only training (the
epoch loop with its per-epoch validation), so process start-up and data
loading are reported apart.  Contenders:

- ``floor``: only the matrix products of the same steps (3 forward, 5
  backward a step) as TensorFlow MatMul ops, inputs in variables;
- ``default``: ``train`` as ``./run.sh`` runs it (the in-graph loop);
- ``feed_dict``: ``In [21]`` as written, one ``Session.run`` a step;
- ``keras3``: the same network in Keras 3 ``model.fit``;
- ``torch``: the same network in PyTorch eager, when ``torch`` is importable;
- ``tf1_cells``: the notebook's own cells (``notebooks/``) as a user of
  ``tf1repro.tf1`` runs them: In [11], In [12], In [None], then In [21] timed;
- ``naive_port``: the same cells on tf-keras's legacy ``tf.compat.v1.layers``
  (``TF_USE_LEGACY_KERAS=1``), the port the module replaces.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from tf1repro.bench.contenders import CONTENDERS, N_TRAIN


def torch_available():
    import importlib.util
    return importlib.util.find_spec("torch") is not None


def measure(name, epochs, batch_size, seed):
    """One contender, one process: its result dict plus start-up seconds."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        started = time.perf_counter()
        cmd = [sys.executable, "-m", "tf1repro.bench.contenders", "--worker", name, "--epochs", str(epochs),
               "--batch-size", str(batch_size), "--seed", str(seed), "--worker-out", out.name]
        # The naive port needs tf-keras's legacy layers, chosen before TensorFlow loads.
        env = {**os.environ, "TF_USE_LEGACY_KERAS": "1"} if name == "naive_port" else None
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            return {"error": tail}
        result = json.load(out)
    result["process_seconds"] = wall
    result["startup_seconds"] = wall - result["seconds"] - result.get("setup_seconds", 0.0)
    return result


def summarise(samples, epochs, batch_size):
    """Medians per contender, with ratios to the floor and the default's speed-up."""
    steps = epochs * (N_TRAIN // batch_size)
    table = {}
    for name, runs in samples.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            table[name] = {"error": runs[-1]["error"]}
            continue
        row = {key: statistics.median(r[key] for r in ok)
               for key in ok[0] if isinstance(ok[0][key], (int, float))}
        row["steps_per_s"] = steps / row["seconds"]
        row["repeats"] = len(ok)
        table[name] = row
    floor = table.get("floor", {}).get("seconds")
    default = table.get("default", {}).get("seconds")
    for row in table.values():
        if "seconds" in row:
            row["ratio_to_floor"] = row["seconds"] / floor if floor else None
            row["default_speedup"] = row["seconds"] / default if default else None
    return table


def format_table(table, epochs, batch_size):
    lines = [f"# {epochs} epochs x {N_TRAIN // batch_size} steps, batch {batch_size}; "
             "medians; training seconds exclude start-up and data loading",
             f"{'contender':<10} {'seconds':>8} {'steps/s':>8} {'peak RSS MB':>12} "
             f"{'x floor':>8} {'default is':>11} {'start-up s':>11}"]
    for name, row in table.items():
        if "error" in row:
            lines.append(f"{name:<10} skipped: {row['error']}")
            continue
        lines.append(
            f"{name:<10} {row['seconds']:8.2f} {row['steps_per_s']:8.0f} {row['peak_rss_mb']:12.0f} "
            f"{row['ratio_to_floor'] or float('nan'):8.2f} "
            f"{row['default_speedup'] or float('nan'):10.2f}x {row['startup_seconds']:11.2f}")
    return "\n".join(lines)


def bench(epochs=20, repeats=3, batch_size=200, seed=1, contenders=CONTENDERS, log=print):
    names = [c for c in contenders if c != "torch" or torch_available()]
    samples = {name: [] for name in names}
    for repeat in range(repeats):
        for name in names:  # alternate, so drift and noise hit every contender alike
            result = measure(name, epochs, batch_size, seed)
            samples[name].append(result)
            shown = f"{result['seconds']:.2f} s" if "error" not in result else result["error"]
            log(f"# repeat {repeat + 1}/{repeats} {name}: {shown}")
    table = summarise(samples, epochs, batch_size)
    if "torch" in contenders and "torch" not in names:
        table["torch"] = {"error": "torch is not importable (pip install -e .[bench])"}
    return table, samples


def growth(epochs_list=(1, 5, 20), batch_sizes=(50, 200, 1000), repeats=1, log=print):
    """Seconds of the default path over a grid of epochs and batch sizes (medians)."""
    rows = []
    for batch_size in batch_sizes:
        for epochs in epochs_list:
            runs = [measure("default", epochs, batch_size, seed=1) for _ in range(repeats)]
            ok = [r for r in runs if "error" not in r]
            row = {"epochs": epochs, "batch_size": batch_size,
                   "steps": epochs * (N_TRAIN // batch_size)}
            if ok:
                row["seconds"] = statistics.median(r["seconds"] for r in ok)
                row["steps_per_s"] = row["steps"] / row["seconds"]
                row["peak_rss_mb"] = statistics.median(r["peak_rss_mb"] for r in ok)
            else:
                row["error"] = runs[-1]["error"]
            log(f"# growth: batch {batch_size}, {epochs} epochs: "
                + (f"{row['seconds']:.2f} s" if ok else row["error"]))
            rows.append(row)
    return rows


def format_growth(rows):
    lines = [f"{'batch':>6} {'epochs':>6} {'steps':>6} {'seconds':>8} {'steps/s':>8} {'peak RSS MB':>12}"]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['batch_size']:6d} {r['epochs']:6d} {r['steps']:6d} failed: {r['error']}")
        else:
            lines.append(f"{r['batch_size']:6d} {r['epochs']:6d} {r['steps']:6d} {r['seconds']:8.2f} "
                         f"{r['steps_per_s']:8.0f} {r['peak_rss_mb']:12.0f}")
    return "\n".join(lines)


def add_command(sub):
    p = sub.add_parser("bench", help="time the training paths against the floor and peers",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--epochs", type=int, default=20, help="epochs a run")
    p.add_argument("--repeats", type=int, default=3, help="runs of each contender (median)")
    p.add_argument("--batch-size", type=int, default=200, help="examples a step")
    p.add_argument("--only", default=",".join(CONTENDERS),
                   help="comma-separated contenders to run")
    p.add_argument("--json", metavar="PATH", default=None, help="also write the figures here")
    p.add_argument("--growth", action="store_true",
                   help="instead: time the default path for 1, 5, 20 epochs x batch 50, 200, 1000")
    p.add_argument("--sweep", action="store_true",
                   help="instead: a 4-seed sweep on Ray (--epochs each, 2 at a time, 1 thread "
                        "each) against the ideal (4 x one run / 2)")


def cmd_bench(args, log):
    from tf1repro.errors import UserError
    contenders = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = sorted(set(contenders) - set(CONTENDERS))
    if unknown:
        raise UserError(f"--only: unknown contender(s) {', '.join(unknown)} "
                        f"(choose from {', '.join(CONTENDERS)})")
    if args.epochs < 1 or args.repeats < 1 or not 1 <= args.batch_size <= N_TRAIN:
        raise UserError("--epochs and --repeats must be >= 1, --batch-size 1 ... 55000")
    if args.sweep:
        from tf1repro.bench.sweep import bench_sweep, format_sweep_bench
        report = bench_sweep(seeds=4, epochs=args.epochs, jobs=2, threads=1, log=log)
        log(format_sweep_bench(report))
        if args.json:
            from tf1repro.files import write_json
            write_json(args.json, {"sweep": report})
        return
    if args.growth:
        rows = growth(repeats=args.repeats, log=log)
        log(format_growth(rows))
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"growth": rows}, f, indent=2)
                f.write("\n")
        return
    table, samples = bench(args.epochs, args.repeats, args.batch_size, contenders=contenders, log=log)
    log(format_table(table, args.epochs, args.batch_size))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"epochs": args.epochs, "batch_size": args.batch_size,
                       "repeats": args.repeats, "contenders": table, "samples": samples}, f, indent=2)
            f.write("\n")
        log(f"# wrote {args.json}")
