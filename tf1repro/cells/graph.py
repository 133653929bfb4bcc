"""The notebook's graphs, each built into a fresh ``tf.Graph``.

    model = build(Config())          # In [11]
    model = build(Config(variant="cell7"))
    with v1.Session(graph=model.graph) as sess: ...

Split as TF 1.x's ``mnist.py`` tutorial did: ``inference`` / ``loss`` /
``training`` / ``evaluation``, each returning tensors, with the notebook's
names and scopes (``X``, ``y``, ``training``; ``DNN``, ``loss/mse``,
``train``, ``eval``) so checkpoints and listings are stable.
"""

import collections
import contextlib
import os

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.ops import control_flow_util

from tf1repro.runtime import arrays, layers, releases, seeds
from tf1repro.cells.config import VARIANTS
from tf1repro.data.idx import PIXEL_SCALE

Model = collections.namedtuple(
    "Model", "graph X y training logits loss training_op accuracy "
             "extra_update_ops init saver config")


SEED_RELEASE = releases.SEED  # the seed notebook's release (docs/releases.md)
RANDOM_OPS = ("RandomUniform", "RandomStandardNormal", "TruncatedNormal")


def release():
    """The release the package's graphs follow: ``$TF1REPRO_TF1_RELEASE`` if set, else the seed's."""
    return releases.check(os.environ.get(releases.ENV, "").strip() or SEED_RELEASE)


def inference(X, training, config, kernel_seeds=(None, None, None)):
    """784-300-100-10: dense, batch norm (momentum 0.9), ELU; batch norm on the logits.

    ``cell11`` (In [11]) uses the contrib He initializer inside name scope
    ``DNN``.  ``cell7`` (In [7]) is the notebook's first draft: glorot
    kernels, no ``DNN`` scope, and the logits layer reads ``bn2`` (before
    its ELU) instead of ``bn2_act``.  ``config.batch_norm=False`` drops the
    batch-norm layers (the ablation).  ``training`` is the boolean
    placeholder, or a Python bool for a copy built for one mode only.
    ``kernel_seeds`` are the kernel initializers' op seeds (None: the graph's rule).
    """
    if config.variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {config.variant!r}")
    cell11 = config.variant == "cell11"
    # tf.layers' automatic names, spelled out so that a second copy of the
    # network (reuse=True) finds the same variables.
    bn_names = iter(["batch_normalization", "batch_normalization_1", "batch_normalization_2"])

    def kernel_init(op_seed):
        if cell11:
            return layers.variance_scaling_initializer(seed=op_seed)
        return v1.glorot_uniform_initializer(seed=op_seed)  # get_variable's default

    def my_batch_norm(x):
        if not config.batch_norm:
            return x
        return layers.batch_normalization(x, training=training, momentum=config.momentum,
                                          name=next(bn_names))

    scope = tf.name_scope("DNN") if cell11 else contextlib.nullcontext()
    with scope:
        hidden1 = layers.dense(X, config.n_hidden1, name="hidden1",
                               kernel_initializer=kernel_init(kernel_seeds[0]))  # [batch, 300]
        bn1 = my_batch_norm(hidden1)
        bn1_act = tf.nn.elu(bn1)

        hidden2 = layers.dense(bn1_act, config.n_hidden2, name="hidden2",
                               kernel_initializer=kernel_init(kernel_seeds[1]))  # [batch, 100]
        bn2 = my_batch_norm(hidden2)
        bn2_act = tf.nn.elu(bn2)

        logits_input = bn2_act if cell11 else bn2
        logits_pre_bn = layers.dense(logits_input, config.n_outputs, name="outputs",
                                     kernel_initializer=kernel_init(kernel_seeds[2]))  # [batch, 10]
        return my_batch_norm(logits_pre_bn)


def loss(logits, y):
    """Mean cross-entropy; the notebook named it ``mse``, and so do we."""
    with tf.name_scope("loss"):
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
        return tf.reduce_mean(xentropy, name="mse")


def training(loss_op, learning_rate):
    with tf.name_scope("train"):
        optimizer = v1.train.GradientDescentOptimizer(learning_rate)
        return optimizer.minimize(loss_op)


def evaluation(logits, y):
    with tf.name_scope("eval"):
        # compat.v1 keeps TF 1.x's argument order: (predictions, targets, k).
        correct = v1.nn.in_top_k(logits, y, 1)
        return tf.reduce_mean(tf.cast(correct, tf.float32))


def _placeholders(config):
    X = v1.placeholder(tf.float32, shape=(None, config.n_inputs), name="X")
    y = v1.placeholder(tf.int64, shape=(None), name="y")
    # True during training, False otherwise: batch statistics or moving ones.
    training_flag = v1.placeholder_with_default(False, shape=(), name="training")
    return X, y, training_flag


def tf1_kernel_seeds(config):
    """The op seeds TF 1.x gave the three kernels when the notebook's cell had run
    ``tf.set_random_seed(config.seed)``: each is the graph's op count at its draw.

    The cell's graph is built once as TF 1.x built it (reference variables, 1.x
    control flow, the release's ops, TF 1.x's seed rule) and its random ops read.
    """
    arrays.install()  # zeros/ones as the release built them (TF 2's own rule from 1.8 on)
    graph = tf.Graph()
    flow_v2 = control_flow_util.ENABLE_CONTROL_FLOW_V2
    control_flow_util.ENABLE_CONTROL_FLOW_V2 = False
    try:
        with graph.as_default(), seeds.tf1_rule(), releases.using(release().name), \
                v1.variable_scope(v1.get_variable_scope(), use_resource=False):
            v1.set_random_seed(config.seed)
            X, _, training_flag = _placeholders(config)
            inference(X, training_flag, config)
    finally:
        control_flow_util.ENABLE_CONTROL_FLOW_V2 = flow_v2
    return tuple(op.get_attr("seed2") for op in graph.get_operations() if op.type in RANDOM_OPS)


def build(config):
    """In [11] (or In [7]) plus the ops In [21] uses, in a fresh graph.

    Its kernels draw what the notebook's cell drew under TF 1.x with
    ``tf.set_random_seed(config.seed)`` (``tf1_kernel_seeds``), whatever this
    graph's own op count, so every loop starts from the cell's weights.
    """
    kernel_seeds = tf1_kernel_seeds(config)
    graph = tf.Graph()
    # Resource variables, whatever the process chose (tf1repro.tf1 switches it
    # to TF 1.x's reference variables): the in-graph loop's compiled function
    # can only capture these.  Names, values and checkpoints are the same.
    with graph.as_default(), releases.using(release().name), \
            v1.variable_scope(v1.get_variable_scope(), use_resource=True):
        v1.set_random_seed(config.seed)
        X, y, training_flag = _placeholders(config)
        logits = inference(X, training_flag, config, kernel_seeds)
        loss_op = loss(logits, y)
        training_op = training(loss_op, config.learning_rate)
        accuracy = evaluation(logits, y)

        init = v1.global_variables_initializer()
        saver = v1.train.Saver()
        extra_update_ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
    return Model(graph, X, y, training_flag, logits, loss_op, training_op, accuracy,
                 extra_update_ops, init, saver, config)


@contextlib.contextmanager
def _own_update_ops():
    """Take the update ops made inside out of ``UPDATE_OPS`` into a list of their own.

    A second copy of the network on the same variables (the in-graph loop)
    runs its own updates; In [21]'s ``extra_update_ops`` stays the notebook's six.
    """
    collection = v1.get_collection_ref(v1.GraphKeys.UPDATE_OPS)
    known = len(collection)
    updates = []
    yield updates
    updates.extend(collection[known:])
    del collection[known:]


def trainable_variable_names(model):
    """In [22]: ``[v.name for v in tf.trainable_variables()]``."""
    with model.graph.as_default():
        return [v.name for v in v1.trainable_variables()]


InGraphTraining = collections.namedtuple(
    "InGraphTraining", "pixels_init labels_init load step_indices step_losses")


def add_in_graph_training(model, num_examples, jit_compile=True):
    """In [21]'s training steps, run by the graph itself, a block at a time.

    The training set lives in two local variables (not saved by the
    ``Saver``; filled by ``load``): the raw uint8 pixels, scaled a batch at
    a time exactly as ``read_data_sets`` scales them (a quarter of the
    memory of float32 images), and the labels.  ``step_losses`` runs one
    training step per row of ``step_indices`` [steps, batch_size] (indices
    into the training set, in ``next_batch`` order) and returns each step's
    loss [steps].  Each step is the notebook's: the network rebuilt on the
    same variables with ``training`` fixed to True,
    ``GradientDescentOptimizer`` on the mean cross-entropy, and the six
    moving-average updates.  What changes is only that Python no longer
    copies each batch into a ``feed_dict`` and starts 275 ``Session.run``
    calls an epoch.
    """
    config = model.config
    with model.graph.as_default(), releases.using(release().name), tf.name_scope("in_graph"):
        pixels_init = v1.placeholder(tf.uint8, [num_examples, config.n_inputs], "pixels_init")
        labels_init = v1.placeholder(tf.int64, [num_examples], "labels_init")
        local = [v1.GraphKeys.LOCAL_VARIABLES]
        pixels = v1.Variable(pixels_init, trainable=False, collections=local,
                             name="train_pixels")  # [N, 784] uint8
        labels = v1.Variable(labels_init, trainable=False, collections=local,
                             name="train_labels")  # [N]
        load = v1.variables_initializer([pixels, labels])
        step_indices = v1.placeholder(tf.int32, [None, None], "step_indices")  # [steps, batch]
        # in_graph: True, but not known while building, so the copy builds In [11]'s
        # own ops for `training`, bit for bit with feed_dict (under 1.2/1.3 the moving
        # averages take 1 - Select(0.9, 1.0) in float32, not 1 - 0.9).  XLA's arithmetic
        # differs in the last bits anyway: a Python True, and no selects, is faster.
        training_on = True if jit_compile else v1.placeholder_with_default(
            True, shape=(), name="training_on")
        scope = v1.get_variable_scope()

        def run_steps(step_indices):
            n_steps = tf.shape(step_indices)[0]

            def body(i, losses):
                batch = step_indices[i]
                # The same float32 product as read_data_sets computes in NumPy.
                X_batch = tf.cast(tf.gather(pixels, batch), tf.float32) * PIXEL_SCALE  # [batch, 784]
                y_batch = tf.gather(labels, batch)  # [batch]
                with v1.variable_scope(scope, reuse=True), _own_update_ops() as updates:
                    logits = inference(X_batch, training_on, config)
                loss_op = loss(logits, y_batch)
                training_op = training(loss_op, config.learning_rate)
                with tf.control_dependencies([training_op] + updates):
                    return i + 1, losses.write(i, loss_op)

            losses = tf.TensorArray(tf.float32, size=n_steps)
            _, losses = tf.while_loop(lambda i, _: i < n_steps, body, [tf.constant(0), losses],
                                      parallel_iterations=1)
            return losses.stack()  # [steps]

        if jit_compile:
            # XLA compiles the whole block of steps into one program: the small
            # element-wise ops of batch norm and its gradients fuse, instead of
            # each paying TensorFlow's per-op cost (about half of a step's time).
            run_steps = tf.function(run_steps, jit_compile=True, autograph=False)
        step_losses = tf.identity(run_steps(step_indices), name="step_losses")  # [steps]
    return InGraphTraining(pixels_init, labels_init, load, step_indices, step_losses)
