"""TF 1.x's op-seed rule, in graph mode, for every random op TensorFlow seeds.

    install()                      # tf1repro.tf1 does this on import
    with tf1_rule(): ...           # or only for a block (the package's own graphs)

TF 1.0 to 1.15 (``framework/random_seed.py`` ``get_seed``; ``ops.py`` ``_last_id``)::

    graph seed set, op seed None  ->  (graph_seed, number of ops already in the graph)
    graph seed set, op seed s     ->  (graph_seed, s)
    no graph seed, op seed s      ->  (87654321, s)
    neither                       ->  (None, None)
    each value modulo 2**31 - 1, and (0, 0) becomes (0, 2**31 - 1) from 1.1 on
    (1.0.1 passed (0, 0) on, which the kernels read as "draw nondeterministically")

TensorFlow 2.x numbers a graph's seeded ops 0, 1, 2, ... instead, so every
initializer and dropout mask of a seeded TF 1.x program draws other numbers.
Every TensorFlow op that seeds itself calls ``random_seed.get_seed`` through
the module attribute; replacing that attribute (and the ``tf.compat.v1``
bindings of the same function) reaches them all.  Eager execution keeps TF 2's rule.
"""

import contextlib
import threading

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.framework import random_seed as _random_seed

from tf1repro.runtime import releases


DEFAULT_GRAPH_SEED = 87654321
MAXINT32 = 2**31 - 1

_tf2_get_seed = _random_seed.get_seed
_state = threading.local()
_installed = False


def op_count(graph):
    """The number of ops in ``graph``: TF 1.x's ``graph._last_id`` (ids counted from 1)."""
    return len(graph._nodes_by_id)


def tf1_get_seed(op_seed):
    """``get_seed`` as TF 1.x computed it in graph mode."""
    if not getattr(_state, "active", _installed) or tf.executing_eagerly():
        return _tf2_get_seed(op_seed)
    graph = v1.get_default_graph()
    graph_seed = graph.seed
    if graph_seed is not None:
        if op_seed is None:
            op_seed = op_count(graph)
        seeds = graph_seed % MAXINT32, op_seed % MAXINT32
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, op_seed % MAXINT32
    else:
        seeds = None, None
    # the C++ kernels read (0, 0) as "nondeterministic"; 1.1 on avoided it
    if seeds == (0, 0) and releases.fact("seed_zero_pair"):
        return 0, MAXINT32
    return seeds


def _bind(function):
    _random_seed.get_seed = function
    v1.get_seed = function
    v1.random.get_seed = function


def install():
    """TF 1.x's rule for the rest of the process (``tf1repro.tf1`` calls this)."""
    global _installed
    _installed = True
    _bind(tf1_get_seed)


@contextlib.contextmanager
def tf1_rule(active=True):
    """TF 1.x's rule (or TF 2's, ``active=False``) inside the block, on this thread."""
    _bind(tf1_get_seed)
    before = getattr(_state, "active", None)
    _state.active = active
    try:
        yield
    finally:
        if before is None:
            del _state.active
        else:
            _state.active = before
