"""``tensorflow.examples.tutorials.mnist.mnist`` of TF 1.x: the tutorial's model.

    from tf1repro.tf1.examples.tutorials.mnist import mnist
    logits = mnist.inference(images, 128, 32)            # images: [batch, 784] float32
    loss = mnist.loss(logits, labels)                   # labels: [batch] int32
    train_op = mnist.training(loss, 0.01)
    correct = mnist.evaluation(logits, labels)          # int32 count of right answers

TF 1.15's graph, names included: name scopes ``hidden1``, ``hidden2``,
``softmax_linear``, each with ``tf.Variable``s ``weights`` (truncated normal,
stddev 1/sqrt(fan-in)) and ``biases`` (zeros); a ``global_step`` variable, a
``loss`` scalar summary, plain gradient descent.  Built with this package's
``tf1repro.tf1``, as the TF 1.x file was built with ``tensorflow``.
"""

import math

import tf1repro.tf1 as tf

NUM_CLASSES = 10  # the digits 0 … 9
IMAGE_SIZE = 28  # MNIST images are 28 x 28 pixels
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE


def _layer(scope, inputs, fan_in, units):
    with tf.name_scope(scope):
        weights = tf.Variable(
            tf.truncated_normal([fan_in, units], stddev=1.0 / math.sqrt(float(fan_in))),
            name="weights")
        biases = tf.Variable(tf.zeros([units]), name="biases")
        return tf.matmul(inputs, weights) + biases


def inference(images, hidden1_units, hidden2_units):
    """Logits [batch, NUM_CLASSES] of two ReLU layers and a linear one."""
    hidden1 = tf.nn.relu(_layer("hidden1", images, IMAGE_PIXELS, hidden1_units))
    hidden2 = tf.nn.relu(_layer("hidden2", hidden1, hidden1_units, hidden2_units))
    return _layer("softmax_linear", hidden2, hidden2_units, NUM_CLASSES)


def loss(logits, labels):
    """Mean sparse softmax cross entropy (``tf.losses``' default reduction)."""
    labels = tf.cast(labels, dtype=tf.int64)
    return tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)


def training(loss, learning_rate):
    """The op that takes one gradient-descent step and increments ``global_step``."""
    tf.summary.scalar("loss", loss)
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    return optimizer.minimize(loss, global_step=global_step)


def evaluation(logits, labels):
    """How many of the batch's labels are the top logit: a scalar int32."""
    correct = tf.nn.in_top_k(predictions=logits, targets=labels, k=1)  # [batch] bool
    return tf.reduce_sum(input_tensor=tf.cast(correct, tf.int32))
