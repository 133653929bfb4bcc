"""The contenders of ``bench``, each run in a process of its own by ``command.measure``.

    python -m tf1repro.bench.contenders --worker default --epochs 20 --worker-out r.json

A worker loads the data, trains, and writes its seconds (training only), its
accuracy and its peak RSS as JSON.  ``command``'s docstring says what each
contender is.
"""

import argparse
import json
import math
import os
import resource
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


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tf1repro.bench.contenders")
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
