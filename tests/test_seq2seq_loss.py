"""``tf.contrib.seq2seq.sequence_loss`` against a NumPy reference, release by release
(``contrib/seq2seq/python/ops/loss.py``: ``+ 1e-12`` until 1.13, ``div_no_nan`` from 1.14)."""

import numpy as np
import pytest

import tf1repro.tf1 as tf
from tf1repro.runtime import releases

RNG = np.random.RandomState(3)
LOGITS = RNG.randn(2, 4, 5).astype(np.float32)
TARGETS = RNG.randint(0, 5, size=(2, 4)).astype(np.int32)
WEIGHTS = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], np.float32)


def crossent():
    shifted = LOGITS - LOGITS.max(axis=2, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    return -np.take_along_axis(log_softmax, TARGETS[..., None], axis=2)[..., 0]


def loss(release, weights=WEIGHTS, **flags):
    with releases.using(release):
        tf.reset_default_graph()
        value = tf.contrib.seq2seq.sequence_loss(tf.constant(LOGITS), tf.constant(TARGETS),
                                                 tf.constant(weights), **flags)
        ops = [op.type for op in tf.get_default_graph().get_operations()]
        with tf.Session() as sess:
            return sess.run(value), ops


@pytest.mark.parametrize("release", ["1.8", "1.15"])
def test_means_over_batch_and_time_and_each_alone(release):
    c = crossent() * WEIGHTS
    both, ops = loss(release)
    np.testing.assert_allclose(both, c.sum() / (WEIGHTS.sum() + (1e-12 if release == "1.8" else 0)),
                               rtol=1e-6)
    # 1.8: total_size += 1e-12 is an AddV2 the 1.15 graph does not have (DivNoNan instead)
    assert ("DivNoNan" in ops, "AddV2" in ops) == (release == "1.15", release == "1.8")
    per_step, _ = loss(release, average_across_timesteps=False)
    np.testing.assert_allclose(per_step, c.sum(0) / (WEIGHTS.sum(0) + 1e-12), rtol=1e-6)
    per_sequence, _ = loss(release, average_across_batch=False)
    np.testing.assert_allclose(per_sequence, c.sum(1) / (WEIGHTS.sum(1) + 1e-12), rtol=1e-6)
    unreduced, _ = loss(release, average_across_timesteps=False, average_across_batch=False)
    np.testing.assert_allclose(unreduced, c, rtol=1e-6)


def test_all_zero_weights_and_the_sum_over_flags_of_1_14():
    zero = np.zeros_like(WEIGHTS)
    assert loss("1.8", zero)[0] == 0.0 and loss("1.15", zero)[0] == 0.0
    c = crossent() * WEIGHTS
    summed, _ = loss("1.15", average_across_timesteps=False, average_across_batch=False,
                     sum_over_timesteps=True, sum_over_batch=True)
    np.testing.assert_allclose(summed, c.sum() / np.count_nonzero(WEIGHTS), rtol=1e-6)
    with pytest.raises(TypeError, match="sum_over_timesteps"):
        loss("1.8", sum_over_timesteps=True, average_across_timesteps=False)
    with pytest.raises(ValueError, match="cannot be set to True at same time"):
        loss("1.15", sum_over_batch=True)


def test_other_seq2seq_names_are_refused_naming_what_is_there():
    with pytest.raises(Exception, match="sequence_loss.*dynamic_decode.*AttentionWrapper"):
        tf.contrib.seq2seq.BeamSearchDecoder  # noqa: B018
