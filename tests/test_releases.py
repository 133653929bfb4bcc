"""Graphs op for op as real TF 1.x releases printed them (``tests/oracle/``, copied from
``../shared/tf1-oracle/``), and what switching releases changes.

The oracle's graph, written here from its description (tests/oracle/README.md):
placeholders, six ``tf.layers.dense`` under ``dnn``, a sparse cross-entropy under
``loss``, then ``GradientDescentOptimizer(0.01)`` with clipped gradients.  Compared are
the op names up to the optimizer: the ones that decide every seed.
"""

import os
import subprocess
import sys

import pytest

import tf1repro.tf1 as tf
from seed import ROOT, recorded_output
from tf1repro.cells import graph
from tf1repro.cells.config import Config
from tf1repro.runtime import releases

ORACLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle")

def listing(release):
    """The op names up to the optimizer of the oracle's graph, built under ``release``."""
    graph = tf.Graph()
    with graph.as_default(), releases.using(release):
        X = tf.placeholder(tf.float32, shape=(None, 784), name="X")
        y = tf.placeholder(tf.int32, shape=(None), name="y")
        with tf.name_scope("dnn"):
            h = X
            for i, units in enumerate((300, 50, 50, 50, 50), 1):
                h = tf.layers.dense(h, units, name=f"hidden{i}", activation=tf.nn.relu)
            logits = tf.layers.dense(h, 10, name="outputs")
        with tf.name_scope("loss"):
            xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
            loss = tf.reduce_mean(xentropy, name="loss")
        before_optimizer = len(graph.get_operations())
        tf.train.GradientDescentOptimizer(0.01).compute_gradients(loss)
    return [op.name for op in graph.get_operations()[:before_optimizer]]


def oracle(name):
    with open(os.path.join(ORACLE, name)) as f:
        names = f.read().split()
    return names[:names.index("gradients/Shape")]


def test_release_1_8_builds_what_tf_1_8_printed():
    assert listing("1.8") == oracle("ops-tf1.8-deep-relu-clipped.txt")


def test_the_listing_labelled_1_3_is_what_1_6_and_1_7_built():
    """Its bias initializers are the three-op Fill that only 1.6 and 1.7 built for 300
    elements (docs/releases.md); 1.3.0's array_ops.zeros built one Const."""
    printed = oracle("ops-tf1.3-deep-relu-clipped.txt")
    assert listing("1.7") == printed
    ours_1_3 = listing("1.3")
    assert ours_1_3 != printed
    assert [n for n in printed if "/zeros/" not in n] == ours_1_3


@pytest.mark.parametrize("release, beta_first", [("1.2", True), ("1.3", True), ("1.8", False),
                                                  ("1.15", False)])
def test_switching_releases_changes_the_batch_norm_order_and_nothing_else(release, beta_first,
                                                                          monkeypatch):
    monkeypatch.setenv(releases.ENV, release)  # what the package's own graphs follow
    names = graph.trainable_variable_names(graph.build(Config()))
    in_22 = eval(recorded_output("22"))  # noqa: S307 - the seed's recorded list
    if beta_first:
        assert names == in_22
    else:
        swapped = [n.replace("beta", "@").replace("gamma", "beta").replace("@", "gamma")
                   for n in in_22]
        assert names == swapped


def test_an_unknown_release_is_refused_in_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tf1repro", "run", "--tf1-release", "1.16",
                           os.path.join(ROOT, "tests", "programs", "era_script.py")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "tf1repro: error: TF 1.x release '1.16' is not reproduced: tf1repro.tf1 reproduces "
        "1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 1.10, 1.11, 1.12, 1.13, 1.14, 1.15 "
        "(each read from its own sources; docs/releases.md)"]
