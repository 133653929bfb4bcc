"""``tf.contrib.seq2seq.sequence_loss`` as each TF 1.x release computed it.

    loss = sequence_loss(logits, targets, tf.ones([batch, steps]))   # [batch, steps, classes]

The weighted mean of the sparse softmax cross-entropy over the steps and the batch (or
per step / per sequence).  Until 1.13 (``contrib/seq2seq/python/ops/loss.py``) the mean
divides by ``sum(weights) + 1e-12``; 1.14 divides with ``div_no_nan`` (no ``add``: two
ops fewer, and 0 rather than 0/1e-12 for all-zero weights) and added ``sum_over_*``
(``releases`` row ``seq2seq_loss``).
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tf1repro.runtime import releases


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, sum_over_timesteps=False, sum_over_batch=False,
                  softmax_loss_function=None, name=None):
    """The loss of TF 1.x's ``tf.contrib.seq2seq.sequence_loss`` (module docstring)."""
    div_no_nan = releases.fact("seq2seq_loss") == "div_no_nan"
    if (sum_over_timesteps or sum_over_batch) and not div_no_nan:
        raise TypeError("sequence_loss() got an unexpected keyword argument "
                        f"'{'sum_over_timesteps' if sum_over_timesteps else 'sum_over_batch'}'")
    if len(logits.shape) != 3:
        raise ValueError("Logits must be a [batch_size x sequence_length x logits] tensor")
    if len(targets.shape) != 2:
        raise ValueError("Targets must be a [batch_size x sequence_length] tensor")
    if len(weights.shape) != 2:
        raise ValueError("Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot be set to "
                         "True at same time.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set to True at "
                         "same time.")
    with v1.name_scope(name, "sequence_loss", [logits, targets, weights]):
        num_classes = tf.shape(logits)[2]
        logits_flat = tf.reshape(logits, [-1, num_classes])
        targets = tf.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets,
                                                                      logits=logits_flat)
        else:  # 1.0 passed (logits, targets), 1.1 (targets, logits), 1.2+ by keyword
            call = releases.fact("seq2seq_loss_function_call")
            crossent = (softmax_loss_function(logits_flat, targets) if call == "logits_first"
                        else softmax_loss_function(targets, logits_flat)
                        if call == "targets_first"
                        else softmax_loss_function(labels=targets, logits=logits_flat))
        crossent *= tf.reshape(weights, [-1])
        if div_no_nan:
            return _reduce_div_no_nan(crossent, logits, weights, average_across_timesteps,
                                      average_across_batch, sum_over_timesteps,
                                      sum_over_batch)
        return _reduce_epsilon(crossent, logits, weights, average_across_timesteps,
                               average_across_batch)


def _reduce_epsilon(crossent, logits, weights, over_time, over_batch):
    if over_time and over_batch:
        crossent = tf.reduce_sum(crossent)
        total_size = tf.reduce_sum(weights)
        total_size += 1e-12  # 1.0-1.13: avoids 0/0 for all-zero weights
        return crossent / total_size
    crossent = tf.reshape(crossent, [tf.shape(logits)[0], tf.shape(logits)[1]])
    for flag, axis in ((over_time and not over_batch, 1), (over_batch and not over_time, 0)):
        if flag:
            crossent = tf.reduce_sum(crossent, axis=[axis])
            total_size = tf.reduce_sum(weights, axis=[axis])
            total_size += 1e-12
            crossent /= total_size
    return crossent


def _reduce_div_no_nan(crossent, logits, weights, average_time, average_batch, sum_time,
                       sum_batch):
    if average_time and average_batch:
        return tf.math.divide_no_nan(tf.reduce_sum(crossent), tf.reduce_sum(weights))
    if sum_time and sum_batch:
        crossent = tf.reduce_sum(crossent)
        count = tf.cast(tf.math.count_nonzero(weights), crossent.dtype)
        return tf.math.divide_no_nan(crossent, count)
    crossent = tf.reshape(crossent, tf.shape(logits)[0:2])
    if average_time or average_batch:
        axis = [0] if average_batch else [1]
        crossent = tf.reduce_sum(crossent, axis=axis)
        return tf.math.divide_no_nan(crossent, tf.reduce_sum(weights, axis=axis))
    if sum_time or sum_batch:
        axis = [0] if sum_batch else [1]
        crossent = tf.reduce_sum(crossent, axis=axis)
        count = tf.cast(tf.math.count_nonzero(weights, axis=axis), dtype=crossent.dtype)
        return tf.math.divide_no_nan(crossent, count)
    return crossent
