"""TensorFlow 1.x code, run as written on a current TensorFlow.

The rule: in import lines, ``tensorflow`` becomes ``tf1repro.tf1``; nothing
else in the code changes.

    import tf1repro.tf1 as tf                                      # was: import tensorflow as tf
    from tf1repro.tf1.examples.tutorials.mnist import input_data   # was: from tensorflow.examples...

Importing this module switches the process to TF 1.x's behaviour
(``tf.compat.v1.disable_v2_behavior()``: graph mode, reference variables,
1.x control flow and shapes), with TensorFlow's start-up chatter kept quiet.  Every
name of ``tf.compat.v1`` is forwarded as it is (``tf.placeholder``,
``tf.Session``, ``tf.train.Saver``, ``tf.nn.in_top_k`` with TF 1.x's argument
order, ...).  Added are only the pieces TensorFlow 2.16+ removed, each
implemented once in the package and shared with its own graphs:

- ``tf.layers``: ``dense``, ``batch_normalization``, ``dropout``, ``flatten``;
- ``tf.contrib.layers``: ``fully_connected``, ``batch_norm``, ``dropout``,
  ``variance_scaling_initializer``, ``xavier_initializer``, ``l1_regularizer``,
  ``l2_regularizer``; ``tf.contrib.framework``: ``arg_scope``, ``add_arg_scope``;
- ``tf.examples.tutorials.mnist.input_data``: ``read_data_sets``, ``DataSet``;
  ``tf.examples.tutorials.mnist.mnist``: the tutorial's model (``inference``, ``loss``,
  ``training``, ``evaluation``).

Where TensorFlow 2.21 changed what a TF 1.x call means, TF 1.x's meaning is back
(``tf.nn``: the cross-entropies refuse positional arguments again; ``tf.matmul`` and
``tf.nn.top_k`` take ``name`` where TF 1.x did); docs/tf1-audit.md lists what was
compared.  Names TF 1.x renamed before 1.0 (``tf.mul``, ``tf.train.SummaryWriter``)
raise ``Unsupported`` naming the successor.  ``tf.estimator`` and ``tf.contrib.learn``
are ``tf1repro.estimator``'s (docs/estimators.md), imported on first use.

A TF 1.x argument these do not implement, and any other ``tf.layers`` /
``tf.contrib`` name (attribute or ``from ... import``), raises
``tf1repro.layers.Unsupported`` (a ``NotImplementedError``) naming it and
what is supported; so does an import line for such a module
(``import tf1repro.tf1.contrib.slim``).  Nothing is silently ignored.
"""

import importlib

from tf1repro.tfcompat import tf as _tf
from tf1repro.tfcompat import v1 as _v1
from tf1repro.runtime import arrays, eigen_math, releases, seeds, tensor_arrays
from tf1repro.tf1 import _namespace, contrib, layers, nn, test, train  # noqa: F401
from tf1repro.tf1._compat_calls import matmul  # noqa: F401

# TF 1.x's behaviour, not only its graph mode: variables are reference
# variables (``get_tensor_by_name("hidden1/kernel:0")`` is the kernel's value,
# as max-norm code of the era relied on), control flow, shapes (``dim.value``)
# and ``==`` on tensors are 1.x's.  The same arithmetic: the notebook's
# cells print the same numbers either way.
_v1.disable_v2_behavior()
# TF 1.x's op seeds: a random op without a seed of its own takes the number of
# ops already in the graph, as every 1.x release did (runtime/seeds.py).
seeds.install()
if eigen_math.requested():  # run --tf1-arithmetic on
    eigen_math.install()
# zeros/ones (and through them zeros_initializer, zeros_like, ...) make the ops
# the chosen release made: one Const, the Fill triple, or Const-if-small.
arrays.install()
# TensorArray.size() is the TensorArraySizeV3 op it was in TF 1.x (dynamic_rnn's stack).
tensor_arrays.install()
RELEASE = releases.current()  # $TF1REPRO_TF1_RELEASE, checked once, at import

__version__ = _tf.__version__

# Names whose TF 1.x ops differ from tf.compat.v1's, per release (runtime/arrays.py,
# runtime/random.py, runtime/initializers.py); everything else is forwarded below.
from tf1repro.runtime.arrays import ones, ones_like, zeros, zeros_like  # noqa: E402,F401
from tf1repro.runtime.initializers import (  # noqa: E402,F401
    CoreVarianceScaling as variance_scaling_initializer, glorot_normal_initializer)
from tf1repro.runtime.random import random_uniform, random_uniform_initializer  # noqa: E402,F401
_ADDED = ("layers", "contrib", "examples", "estimator", "nn", "test", "train", "matmul", "zeros", "ones",
          "zeros_like", "ones_like", "random_uniform", "random_uniform_initializer",
          "variance_scaling_initializer", "glorot_normal_initializer")
_forward = _namespace.forward("tf", "tf1repro.tf1", _v1, _ADDED)
_namespace.install_finder()


def __getattr__(name):
    if name in ("examples", "estimator"):  # imported on first use only
        return importlib.import_module(f"tf1repro.tf1.{name}")
    return _forward(name)


def __dir__():
    return sorted(set(dir(_v1)) | set(_ADDED) | {"__version__"})
