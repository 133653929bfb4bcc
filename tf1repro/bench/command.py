"""Side-by-side speed of the training paths and their peers.

    ./run.sh bench [--epochs 20] [--repeats 3] [--json bench.json]

Each contender runs in its own process (``python -m tf1repro.bench --worker
NAME``), the contenders alternating, ``--repeats`` times; the table shows
medians.  A worker loads the data first and then times only training (the
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
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CONTENDERS = ("floor", "default", "feed_dict", "keras3", "torch", "tf1_cells", "naive_port")
N_TRAIN, N_VALID = 55000, 5000


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# ---------------------------------------------------------------- workers

def _load(seed):
    from tf1repro.data.datasets import read_data_sets
    from tf1repro.data.provision import default_data_dir, ensure_mnist
    data_dir = os.environ.get("TF1REPRO_DATA_DIR") or default_data_dir()
    ensure_mnist(data_dir, log=lambda line: None)
    return read_data_sets(data_dir, seed=seed)


def worker_tf1repro(loop, epochs, batch_size, seed):
    from tf1repro.runs import train
    from tf1repro.cells.config import Config
    datasets = _load(seed)
    ready = time.perf_counter()
    config = Config(epochs=epochs, batch_size=batch_size, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        record = train.train_and_evaluate(config, None, os.path.join(tmp, "m.ckpt"),
                                          log=lambda line: None, datasets=datasets, loop=loop)
    total = time.perf_counter() - ready
    seconds = sum(e["seconds"] for e in record["epochs"])
    return {"seconds": seconds, "setup_seconds": total - seconds,
            "final_validation_accuracy": record["epochs"][-1]["validation_accuracy"],
            "test_accuracy": record["test_accuracy"]}


def worker_floor(epochs, batch_size, seed):
    """The 8 matrix products of each training step, and nothing else."""
    from tf1repro.tfcompat import tf, v1
    from tf1repro.runs.train import session_config
    steps = N_TRAIN // batch_size
    m, sizes = batch_size, [784, 300, 100, 10]
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(seed)

        def var(name, shape):
            return v1.get_variable(name, shape, tf.float32, v1.random_normal_initializer())

        X = var("X", [m, 784])
        W = [var(f"W{i}", [sizes[i], sizes[i + 1]]) for i in range(3)]
        H = [var(f"H{i}", [m, sizes[i + 1]]) for i in range(2)]   # layer outputs, as inputs
        G = [var(f"G{i}", [m, sizes[i + 1]]) for i in range(3)]   # gradients at each layer

        def body(i, acc):
            inputs = [X, H[0], H[1]]
            shapes = [(inputs[k], W[k], False, False) for k in range(3)]         # forward
            shapes += [(G[k], W[k], False, True) for k in (2, 1)]                 # dX
            shapes += [(inputs[k], G[k], True, False) for k in (2, 1, 0)]         # dW
            products = []
            for a, b, ta, tb in shapes:
                # One after another, as a training step runs them.
                with tf.control_dependencies(products[-1:]):
                    products.append(tf.matmul(a, b, transpose_a=ta, transpose_b=tb))
            # Consume one element of each so nothing is pruned; costs nothing.
            return i + 1, acc + tf.add_n([p[0, 0] for p in products])

        n = v1.placeholder(tf.int32, [])
        loop = tf.while_loop(lambda i, _: i < n, body, [tf.constant(0), tf.constant(0.0)],
                             parallel_iterations=1)
        init = v1.global_variables_initializer()
    with v1.Session(graph=graph, config=session_config()) as sess:
        sess.run(init)
        sess.run(loop, {n: 5})  # warm-up: kernels, thread pools
        start = time.perf_counter()
        for _ in range(epochs):
            sess.run(loop, {n: steps})
        seconds = time.perf_counter() - start
    return {"seconds": seconds}


def _he_stddev(fan_in):
    return math.sqrt(1.3 * 2.0 / fan_in)  # tf.contrib's variance_scaling_initializer


def worker_keras3(epochs, batch_size, seed):
    datasets = _load(seed)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import numpy as np
    keras.utils.set_random_seed(seed)

    def dense(units, fan_in):
        init = keras.initializers.TruncatedNormal(stddev=_he_stddev(fan_in), seed=seed)
        return keras.layers.Dense(units, kernel_initializer=init)

    def bn():
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-3)

    model = keras.Sequential([
        keras.Input((784,)),
        dense(300, 784), bn(), keras.layers.Activation("elu"),
        dense(100, 300), bn(), keras.layers.Activation("elu"),
        dense(10, 100), bn()])
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    train, valid = datasets.train, datasets.validation
    y_train, y_valid = train.labels.astype(np.int64), valid.labels.astype(np.int64)
    start = time.perf_counter()
    history = model.fit(train.images, y_train, batch_size=batch_size, epochs=epochs,
                        validation_data=(valid.images, y_valid), shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    return {"seconds": seconds,
            "final_validation_accuracy": float(history.history["val_accuracy"][-1])}


def worker_torch(epochs, batch_size, seed):
    datasets = _load(seed)
    import numpy as np
    import torch
    from torch import nn
    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count() or 1)

    def dense(n_in, n_out):
        layer = nn.Linear(n_in, n_out)
        nn.init.trunc_normal_(layer.weight, 0.0, _he_stddev(n_in),
                              -2 * _he_stddev(n_in), 2 * _he_stddev(n_in))
        nn.init.zeros_(layer.bias)
        return layer

    # PyTorch's momentum is the weight of the new batch: 1 - 0.9.
    model = nn.Sequential(
        dense(784, 300), nn.BatchNorm1d(300, eps=1e-3, momentum=0.1), nn.ELU(),
        dense(300, 100), nn.BatchNorm1d(100, eps=1e-3, momentum=0.1), nn.ELU(),
        dense(100, 10), nn.BatchNorm1d(10, eps=1e-3, momentum=0.1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    X = torch.from_numpy(datasets.train.images)
    y = torch.from_numpy(datasets.train.labels.astype(np.int64))
    Xv = torch.from_numpy(datasets.validation.images)
    yv = torch.from_numpy(datasets.validation.labels.astype(np.int64))
    steps = len(X) // batch_size
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X), generator=generator)
        for step in range(steps):
            idx = order[step * batch_size:(step + 1) * batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X[idx]), y[idx]).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(Xv).argmax(1) == yv).float().mean().item()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "final_validation_accuracy": accuracy}


def notebook_cells():
    """{execution count as text ("7", "11", ..., "None"): source} of the notebook's code cells."""
    from tf1repro.notebook import NOTEBOOK
    with open(NOTEBOOK) as f:
        cells = json.load(f)["cells"]
    return {str(c.get("execution_count")): "".join(c["source"]) for c in cells
            if c["cell_type"] == "code"}


def naive_port(code):
    """A cell of the notebook as the usual port to TF 2.16+ rewrites it: ``tf.compat.v1``
    with tf-keras's legacy layers, the contrib initializer spelled as the core one (a
    slightly different formula), the data loader of this package."""
    code = code.replace("import tf1repro.tf1 as tf\n",
                        "import tensorflow.compat.v1 as tf\ntf.disable_eager_execution()\n")
    code = code.replace("tf.contrib.layers.variance_scaling_initializer()",
                        "tf.variance_scaling_initializer(scale=2.0)")
    return code


def worker_cells(epochs, batch_size, port):
    """In [11], In [12] (epochs and batch size injected after it), In [None]; then In [21], timed."""
    import contextlib
    import io
    cells = {k: port(v) for k, v in notebook_cells().items()}
    ns = {"__name__": "__main__"}
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()) as out:
        os.chdir(tmp)  # In [21] saves ./my_model_final.ckpt
        for label in ("11", "12", "None"):
            exec(cells[label], ns)
        ns.update(n_epochs=epochs, batch_size=batch_size)
        start = time.perf_counter()
        exec(cells["21"], ns)
        seconds = time.perf_counter() - start
    last = [line for line in out.getvalue().splitlines() if "Validation accuracy:" in line][-1]
    return {"seconds": seconds, "final_validation_accuracy": float(last.split()[-1])}


def run_worker(name, epochs, batch_size, seed):
    if name in ("default", "feed_dict"):
        result = worker_tf1repro("xla" if name == "default" else "feed_dict",
                                 epochs, batch_size, seed)
    elif name in ("tf1_cells", "naive_port"):
        result = worker_cells(epochs, batch_size, naive_port if name == "naive_port" else str)
    else:
        result = {"floor": worker_floor, "keras3": worker_keras3,
                  "torch": worker_torch}[name](epochs, batch_size, seed)
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


# ---------------------------------------------------------------- parent

def torch_available():
    import importlib.util
    return importlib.util.find_spec("torch") is not None


def measure(name, epochs, batch_size, seed):
    """One contender, one process: its result dict plus start-up seconds."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        started = time.perf_counter()
        cmd = [sys.executable, "-m", "tf1repro.bench.command", "--worker", name, "--epochs", str(epochs),
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


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tf1repro.bench")
    p.add_argument("--worker", choices=CONTENDERS, required=True)
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--batch-size", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--worker-out", required=True)
    args = p.parse_args(argv)
    result = run_worker(args.worker, args.epochs, args.batch_size, args.seed)
    with open(args.worker_out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
