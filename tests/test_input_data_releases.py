"""``input_data``'s data order release by release (facts ``mnist_next_batch``, ``mnist_seed``).

The references are ``DataSet.next_batch`` of ``contrib/learn/python/learn/datasets/mnist.py``
as the 1.0.1 and 1.1.0 wheels have it, restated in NumPy from that source, not from the code
under test (1.2.1-1.15.5 keep 1.1.0's ``next_batch`` and add the seeding in ``__init__``).
Small synthetic arrays; nothing trains.
"""

import numpy as np
import pytest

import tf1repro.tf1 as tf
from tf1repro.runtime import releases
from tf1repro.tf1.examples.tutorials.mnist import input_data

N, BATCH, STEPS = 10, 4, 8  # 10 = 4 + 4 + 2: every epoch leaves a rest of 2


def synthetic():
    images = np.arange(N * 6, dtype=np.uint8).reshape(N, 2, 3, 1)  # [N, rows, cols, 1]
    labels = np.arange(N, dtype=np.uint8)  # label i is example i of the file
    return images, labels


def tf1_0_batches(images, labels, batch_size, steps):
    """1.0.1's next_batch: no shuffle before the first epoch; once an epoch is over,
    numpy.random.shuffle and start again at 0 (the rest of the epoch dropped)."""
    images = images.reshape(len(images), -1)
    num_examples, index_in_epoch, epochs_completed, out = len(images), 0, 0, []
    for _ in range(steps):
        start = index_in_epoch
        index_in_epoch += batch_size
        if index_in_epoch > num_examples:
            epochs_completed += 1
            perm = np.arange(num_examples)
            np.random.shuffle(perm)
            images, labels = images[perm], labels[perm]
            start = 0
            index_in_epoch = batch_size
        end = index_in_epoch
        out.append((images[start:end], labels[start:end]))
    return out, images, labels, epochs_completed


def tf1_1_batches(images, labels, batch_size, steps):
    """1.1.0's next_batch (shuffle=True): a shuffle before the first batch, and the rest of
    an epoch carried into the first batch of the next."""
    images = images.reshape(len(images), -1)
    num_examples, index_in_epoch, epochs_completed, out = len(images), 0, 0, []
    for _ in range(steps):
        start = index_in_epoch
        if epochs_completed == 0 and start == 0:
            perm0 = np.arange(num_examples)
            np.random.shuffle(perm0)
            images, labels = images[perm0], labels[perm0]
        if start + batch_size > num_examples:
            epochs_completed += 1
            rest_num_examples = num_examples - start
            images_rest_part, labels_rest_part = images[start:], labels[start:]
            perm = np.arange(num_examples)
            np.random.shuffle(perm)
            images, labels = images[perm], labels[perm]
            index_in_epoch = batch_size - rest_num_examples
            end = index_in_epoch
            out.append((np.concatenate((images_rest_part, images[0:end])),
                         np.concatenate((labels_rest_part, labels[0:end]))))
        else:
            index_in_epoch += batch_size
            out.append((images[start:index_in_epoch], labels[start:index_in_epoch]))
    return out, images, labels, epochs_completed


def same_state(a, b):
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


def check(ds, numpy_seed, reference):
    """``ds``'s batches from NumPy seeded with ``numpy_seed`` against ``reference``'s."""
    np.random.seed(numpy_seed)
    got = [ds.next_batch(BATCH) for _ in range(STEPS)]
    images, labels = synthetic()
    np.random.seed(numpy_seed)
    want, images, labels, epochs = reference(images, labels, BATCH, STEPS)
    for got, (wi, wl) in zip(got, want):
        np.testing.assert_array_equal(got[1], wl)
        np.testing.assert_array_equal(got[0], wi)
    assert ds.epochs_completed == epochs
    np.testing.assert_array_equal(ds.images, images)  # TF 1.x's arrays, as shuffled
    np.testing.assert_array_equal(ds.labels, labels)
    return want


@pytest.mark.parametrize("release, reference", [("1.0", tf1_0_batches),
                                                ("1.1", tf1_1_batches)])
def test_1_0_and_1_1_draw_from_the_global_generator_as_the_program_seeded_it(release, reference):
    images, labels = synthetic()
    np.random.seed(123)  # the program's own seeding; TF 1.0 and 1.1 did none
    before = np.random.get_state()
    with releases.using(release):
        ds = input_data.DataSet(images, labels, dtype=tf.uint8)
        assert same_state(np.random.get_state(), before)  # the constructor drew nothing
        want = check(ds, 123, reference)
    seen = np.concatenate([y for _, y in want])  # 32 labels; 3 epochs over either way
    if release == "1.0":
        # The first epoch in file order, its last two examples never returned.
        assert list(seen[:8]) == list(range(8)) and list(seen[8:10]) != [8, 9]
    else:
        # Shuffled from the first batch, and every example once per epoch.
        assert list(seen[:4]) != [0, 1, 2, 3] and sorted(seen[:10]) == list(range(10))


@pytest.mark.parametrize("op_seed, numpy_seed", [(None, 42), (7, 7)])
def test_from_1_2_the_dataset_seeds_numpy_from_get_seed(op_seed, numpy_seed):
    images, labels = synthetic()
    tf.reset_default_graph()
    tf.set_random_seed(42)
    np.random.seed(999)  # overridden: the DataSet reseeds the global generator
    with releases.using("1.2"):
        ds = input_data.DataSet(images, labels, dtype=tf.uint8, seed=op_seed)
    state = np.random.get_state()
    # get_seed gives (42, op count), NumPy seeded with 42; or (42, 7), seeded with 7.
    np.random.seed(numpy_seed)
    assert same_state(np.random.get_state(), state)
    check(ds, numpy_seed, tf1_1_batches)


def test_arguments_a_release_did_not_have_are_refused(tmp_path):
    images, labels = synthetic()
    with releases.using("1.0"):
        with pytest.raises(TypeError, match="unexpected keyword argument 'seed'"):
            input_data.DataSet(images, labels, seed=1)
        with pytest.raises(TypeError, match="unexpected keyword argument 'seed'"):
            input_data.read_data_sets(str(tmp_path), seed=1)
        with pytest.raises(TypeError, match="unexpected keyword argument 'shuffle'"):
            input_data.DataSet(images, labels).next_batch(BATCH, shuffle=False)
    with releases.using("1.1"):
        with pytest.raises(TypeError, match="unexpected keyword argument 'seed'"):
            input_data.DataSet(images, labels, seed=1)
        ds = input_data.DataSet(images, labels)
        assert list(ds.next_batch(BATCH, shuffle=False)[1]) == [0, 1, 2, 3]


def test_facts_name_their_releases():
    assert [releases.fact("mnist_next_batch", releases.check(r)) for r in ("1.0", "1.1", "1.15")] \
        == ["epoch_end", "first_and_rest", "first_and_rest"]
    assert [releases.fact("mnist_seed", releases.check(r)) for r in ("1.1", "1.2", "1.15")] \
        == [False, True, True]
