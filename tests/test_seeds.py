"""TF 1.x's op-seed rule and the seeded numbers it gives: ``tf1repro.runtime.seeds``.

TF 1.2 to 1.15 (``tensorflow/python/framework/random_seed.py``, ``get_seed``, read in
the 1.2.1, 1.3.0, 1.8.0 and 1.15.5 wheels), restated here independently of the code:

    graph seed g set, op seed None  ->  (g, graph._last_id)   # ops created so far, ids from 1
    graph seed g set, op seed s     ->  (g, s)
    no graph seed,    op seed s     ->  (87654321, s)
    each modulo 2**31 - 1; (0, 0) becomes (0, 2**31 - 1)

``get_seed`` is called after a random op's shape/min/max (mean/stddev) constants
exist and before the random op itself, so its ``seed2`` is the number of ops
created before it: its position in ``get_operations()``.
"""

import os
import subprocess
import sys


import tf1repro.tf1 as tf
from seed import ROOT, epoch_lines, run_cells, under_import_rule

RANDOM = ("RandomUniform", "RandomStandardNormal", "TruncatedNormal")


def random_ops(graph):
    return [(i, op) for i, op in enumerate(graph.get_operations()) if op.type in RANDOM]


def test_seed2_of_every_unseeded_random_op_is_the_op_count_at_its_creation():
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(42)
        X = tf.placeholder(tf.float32, (None, 784), name="X")
        training = tf.placeholder_with_default(False, shape=(), name="training")
        he_init = tf.contrib.layers.variance_scaling_initializer()
        h = tf.layers.dense(X, 300, kernel_initializer=he_init, name="hidden1")
        h = tf.layers.batch_normalization(h, training=training, momentum=0.9)
        h = tf.layers.dropout(tf.nn.elu(h), 0.5, training=training)
        tf.layers.dense(h, 10, name="outputs")
        tf.random_normal([3])
    found = random_ops(graph)
    assert len(found) == 4
    for position, op in found:
        assert op.get_attr("seed") == 42
        assert op.get_attr("seed2") == position, op.name


def test_an_explicit_op_seed_keeps_its_meaning():
    graph = tf.Graph()
    with graph.as_default():
        tf.random_normal([3], seed=7)          # no graph seed: TF 1.x's default graph seed
        tf.set_random_seed(5)
        tf.random_normal([3], seed=9)          # (graph seed, op seed), whatever the op count
        tf.set_random_seed(0)
        tf.random_normal([3], seed=0)          # (0, 0) would mean "nondeterministic"
        tf.random_normal([3])                  # no seeds at all: TensorFlow's own choice
    seeds = [(op.get_attr("seed"), op.get_attr("seed2")) for _, op in random_ops(graph)]
    assert seeds[:3] == [(87654321, 7), (5, 9), (0, 2**31 - 1)]


def test_an_explicitly_seeded_program_draws_what_tf2_draws():
    """Programs that pass op seeds already reproduced TF 1.x: the rule leaves them alone."""
    code = ("import tensorflow as tf\n"
            "tf.compat.v1.disable_eager_execution()\n"
            "g = tf.Graph()\n"
            "with g.as_default():\n"
            "    tf.compat.v1.set_random_seed(3)\n"
            "    x = tf.compat.v1.truncated_normal([4], seed=11)\n"
            "    with tf.compat.v1.Session() as s: print(list(s.run(x)))\n")
    plain = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(3)
        x = tf.truncated_normal([4], seed=11)
        with tf.Session() as sess:
            ours = list(sess.run(x))
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert plain.stdout.strip().splitlines()[-1] == str(ours)


def test_the_package_graph_takes_the_seeds_tf1_gave_the_notebooks_cell():
    """train's graph (resource variables, its own op count) and In [11] as written with
    ``tf.set_random_seed(42)``, under TF 1.x's rule: the same kernel seeds."""
    from tf1repro.cells import graph as cells
    from tf1repro.cells.config import Config
    model = cells.build(Config(seed=42))
    ours = [(op.get_attr("seed"), op.get_attr("seed2")) for _, op in random_ops(model.graph)]
    cell = under_import_rule(
        run_cells.__globals__["seed_cells"]()["11"]).replace(
        "tf.reset_default_graph()\n", "tf.reset_default_graph()\ntf.set_random_seed(42)\n", 1)
    namespace = {}
    from tf1repro.runtime import releases
    with releases.using(cells.SEED_RELEASE):  # the release the package's graph follows
        exec(cell, namespace)  # noqa: S102 - the seed's own cell
    theirs = [(op.get_attr("seed"), op.get_attr("seed2"))
              for _, op in random_ops(tf.get_default_graph())]
    assert len(ours) == 3 and ours == theirs


SEEDING = ("import numpy as np\n"
           "tf.reset_default_graph()\ntf.set_random_seed(42)\nnp.random.seed(42)\n")


def test_train_with_a_seed_prints_the_seeded_cells_log(tmp_path):
    """``train --seed 42 --loop feed_dict`` and the seed's cells with the era's seeding
    (``reset_default_graph(); set_random_seed(42); np.random.seed(42)`` before the model)
    print the same epoch lines, test accuracy included."""
    seeded = lambda code: under_import_rule(code).replace("tf.reset_default_graph()\n", SEEDING, 1)
    cells = run_cells(["11", "12", "None", "21"], str(tmp_path), n_epochs=2, transform=seeded,
                      env={"TF1REPRO_TF1_RELEASE": "1.2"})
    assert cells.returncode == 0, cells.stderr[-3000:]
    train = subprocess.run(
        [sys.executable, "-m", "tf1repro", "train", "--seed", "42", "--epochs", "2",
         "--loop", "feed_dict", "--checkpoint", str(tmp_path / "run" / "m.ckpt")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert train.returncode == 0, train.stderr[-3000:]
    assert len(epoch_lines(cells.stdout)) == 2
    assert epoch_lines(train.stdout) == epoch_lines(cells.stdout)
    test_line = [ln for ln in cells.stdout.splitlines() if ln.startswith("Test accuracy:")]
    assert test_line and test_line[0] in train.stdout.splitlines()
