"""``bench --sweep``: a seed sweep on Ray on this machine against the ideal.

    ./run.sh bench --sweep [--seeds 4] [--epochs 20] [--jobs 2] [--threads 1]

Times one training alone at the sweep's thread count (a whole process, as
``./run.sh train`` is one: ``python -m tf1repro.bench.sweep --train``, which
calls ``runs.start.train``), then the sweep, from before Ray starts to after it stops.  The
ideal is seeds x that one run / trainings at a time: what perfect packing of
the same trainings would take.  Trainings side by side share the cores'
caches and memory bandwidth, so the same trainings started as plain
processes, ``jobs`` at a time, are timed too: the sweep against that is
what Ray itself costs.  Ray is imported only here.
"""

import json
import os
import subprocess
import sys
import tempfile
import time


def trainings(folder, epochs, threads, side_by_side=1):
    """Wall seconds of ``side_by_side`` trainings of seed N started together (plain
    processes, no Ray) with ``threads`` threads each, and the first one's epochs' seconds."""
    start = time.perf_counter()
    procs = [subprocess.Popen(
        [sys.executable, "-m", "tf1repro.bench.sweep", "--train", str(seed), str(epochs),
         str(threads), os.path.join(folder, f"seed-{seed}", "m.ckpt")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for seed in range(1, side_by_side + 1)]
    if any(proc.wait() for proc in procs):
        raise RuntimeError("a training of the benchmark failed")
    wall = time.perf_counter() - start
    with open(os.path.join(folder, "seed-1", "metrics.json")) as f:
        epochs_seconds = sum(e["seconds"] for e in json.load(f)["epochs"])
    return wall, epochs_seconds


def bench_sweep(seeds=4, epochs=20, jobs=2, threads=1, log=print):
    from tf1repro.explore import on_ray, sweeps
    with tempfile.TemporaryDirectory() as tmp:
        log(f"# one training alone, {threads} thread(s), {epochs} epochs")
        alone, alone_epochs = trainings(os.path.join(tmp, "alone"), epochs, threads)
        log(f"# {jobs} trainings side by side, plain processes")
        together, _ = trainings(os.path.join(tmp, "together"), epochs, threads, jobs)
        log(f"# a sweep of {seeds} seeds x {epochs} epochs, {jobs} at a time")
        start = time.perf_counter()
        with on_ray.Cluster(None, jobs=jobs, threads=threads, log=log) as cluster:
            summary = sweeps.sweep(os.path.join(tmp, "sweep"), range(1, seeds + 1), epochs, {},
                                   cluster.run, log=lambda line: None)
        wall = time.perf_counter() - start
    ideal = seeds * alone / jobs
    report = {"seeds": seeds, "epochs": epochs, "jobs": jobs, "threads": threads,
              "one_run_seconds": alone, "one_run_epochs_seconds": alone_epochs,
              "ideal_seconds": ideal, "sweep_seconds": wall, "ratio": wall / ideal,
              "side_by_side_seconds": together,
              "packing_seconds": seeds / jobs * together, "ratio_to_packing": wall / (seeds / jobs * together),
              "ray_startup_seconds": cluster.startup_seconds,
              "finished": len(summary["finished"]),
              "sweep_epochs_seconds": [r["seconds"] for r in summary["runs"]]}
    return report


def format_sweep_bench(r):
    rows = [("one train alone (wall, whole command)", f"{r['one_run_seconds']:.1f} s"),
            ("  of which its epochs", f"{r['one_run_epochs_seconds']:.1f} s"),
            (f"ideal: {r['seeds']} x one run / {r['jobs']} at a time", f"{r['ideal_seconds']:.1f} s"),
            ("sweep on Ray (wall, Ray start to stop)", f"{r['sweep_seconds']:.1f} s"),
            ("  of which Ray's start-up", f"{r['ray_startup_seconds']:.1f} s"),
            ("sweep / ideal", f"{r['ratio']:.3f} (goal <= 1.15)"),
            (f"{r['jobs']} trainings side by side, no Ray (wall)", f"{r['side_by_side_seconds']:.1f} s"),
            (f"no-Ray packing: {r['seeds']} / {r['jobs']} x that", f"{r['packing_seconds']:.1f} s"),
            ("sweep / no-Ray packing (Ray's own cost)", f"{r['ratio_to_packing']:.3f}")]
    width = max(len(k) for k, _ in rows)
    return "\n".join([f"# {r['seeds']} seeds x {r['epochs']} epochs, {r['jobs']} at a time, "
                      f"{r['threads']} thread(s) each; {r['finished']} finished"]
                     + [f"{k:<{width}}  {v}" for k, v in rows])


def train_one(seed, epochs, threads, checkpoint):
    """One training, as ``train --seed SEED --epochs EPOCHS`` runs it, quietly."""
    from tf1repro.runs import start
    start.train(checkpoint, {"seed": seed, "epochs": epochs}, log=lambda line: None,
                threads=threads)


if __name__ == "__main__":
    # python -m tf1repro.bench.sweep --train SEED EPOCHS THREADS CHECKPOINT
    if sys.argv[1:2] != ["--train"] or len(sys.argv) != 6:
        sys.exit("usage: python -m tf1repro.bench.sweep --train SEED EPOCHS THREADS CHECKPOINT")
    seed, epochs, threads = map(int, sys.argv[2:5])
    train_one(seed, epochs, threads, sys.argv[5])
