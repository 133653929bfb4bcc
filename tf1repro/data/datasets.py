"""MNIST as TF 1.x's ``input_data.read_data_sets`` gave it, in NumPy only.

    mnist = read_data_sets(data_dir, seed=0)         # the four .gz files, MD5-checked
    X_batch, y_batch = mnist.train.next_batch(200)   # [200, 784] float32, [200] uint8
    mnist.validation.images, mnist.validation.labels # first 5000 training images
    idx = mnist.train.next_batch_indices(200)        # the same rule, as indices

Validation is the first ``validation_size`` training images in file order,
train the rest, test the t10k files. Images are ``x.astype(float32) *
float32(1/255)`` as TF1 computed them; labels are uint8 class numbers, not
one-hot. ``next_batch`` follows TF1's shuffling rule exactly, with the
DataSet's own ``RandomState(seed)`` in place of NumPy's global generator.
Reading the files is ``idx``'s job; getting them onto a machine, ``provision``'s.
"""

import base64
import collections
import functools
import hashlib
import os

import numpy as np

from tf1repro.data.idx import (FILES, PIXEL_SCALE, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES,
                               TRAIN_LABELS, _parse, _read_content, check_format, classify)
from tf1repro.errors import DataError, UserError


def _entropy_seed():
    # TF1 seeded NumPy from OS entropy when no seed was given; do the same,
    # but keep the value so a run can say which order it used.
    return int.from_bytes(os.urandom(4), "little")


def scale_pixels(pixels):
    """uint8 pixels as TF1 scaled them: ``astype(float32)``, then ``* (1/255)`` in float32.

    Not bit-identical to ``x / 255.0`` (126 of 256 pixel values differ by one
    ulp).  In place: the same arithmetic without a second array at peak.
    """
    flat = pixels.astype(np.float32)
    return np.multiply(flat, np.float32(PIXEL_SCALE), out=flat)


class BatchOrder:
    """TF 1.x's ``next_batch`` rule over ``num_examples`` examples, as indices.

    ``rng`` draws the shuffles (it needs ``shuffle``, ``get_state`` and
    ``set_state``): a ``RandomState`` of the run's own, or ``numpy.random``
    itself, the global generator TF 1.x used.  ``rule`` is the release's
    (fact ``mnist_next_batch``): "first_and_rest", TF 1.1-1.15's, or
    "epoch_end", TF 1.0's (no shuffle before the first epoch; the rest of an
    epoch dropped).
    """

    RULES = ("first_and_rest", "epoch_end")

    def __init__(self, num_examples, rng, seed=None, rule="first_and_rest"):
        if rule not in self.RULES:
            raise ValueError(f"next_batch rule {rule!r}: use one of {self.RULES}")
        self._num_examples = num_examples
        self._rng = rng
        self.seed = seed
        self.rule = rule
        # TF1 permuted its arrays in place of an order; we keep the order as
        # indices into the original arrays, so a fast path can feed indices.
        self._order = np.arange(num_examples, dtype=np.int64)  # [N]
        self._index_in_epoch = 0
        self._epochs_completed = 0

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    @property
    def index_in_epoch(self):
        return self._index_in_epoch

    def next_batch_indices(self, batch_size, shuffle=True):
        """Indices (int64 [batch_size]) of TF1's next ``next_batch(batch_size, shuffle=shuffle)``."""
        n = self.num_examples
        # TF1 let a batch larger than the set through and returned short,
        # inconsistent batches; refuse instead.
        if not 1 <= batch_size <= n:
            raise UserError(f"batch size {batch_size} is out of range for a set of "
                            f"{n} examples: use 1 .. {n}")
        start = self._index_in_epoch
        if self.rule == "epoch_end":
            return self._next_epoch_end(start, batch_size)
        if self._epochs_completed == 0 and start == 0 and shuffle:
            perm0 = np.arange(n)
            self._rng.shuffle(perm0)
            self._order = self._order[perm0]
        if start + batch_size > n:
            self._epochs_completed += 1
            rest = self._order[start:n]
            if shuffle:
                # TF1 shuffled the already-shuffled arrays; composing the
                # permutations is what keeps this identical to it.
                perm = np.arange(n)
                self._rng.shuffle(perm)
                self._order = self._order[perm]
            self._index_in_epoch = batch_size - len(rest)
            return np.concatenate((rest, self._order[:self._index_in_epoch]))
        self._index_in_epoch = start + batch_size
        return self._order[start:self._index_in_epoch].copy()

    def _next_epoch_end(self, start, batch_size):
        # TF 1.0's rule: the first epoch in file order; an epoch over, shuffle and start the
        # next at 0, so the examples left at the end of an epoch are never returned.
        if start + batch_size > self.num_examples:
            self._epochs_completed += 1
            perm = np.arange(self.num_examples)
            self._rng.shuffle(perm)
            self._order = self._order[perm]
            start = 0
        self._index_in_epoch = start + batch_size
        return self._order[start:self._index_in_epoch].copy()

    def get_state(self):
        """Where the batch sequence stands, as a JSON-serialisable dict."""
        name, keys, pos, has_gauss, cached = self._rng.get_state()
        return {
            "num_examples": self.num_examples,
            "seed": self.seed,
            # int32 little-endian, base64: a quarter of the size of a JSON list
            "order": base64.b64encode(self._order.astype("<i4").tobytes()).decode("ascii"),
            "index_in_epoch": int(self._index_in_epoch),
            "epochs_completed": int(self._epochs_completed),
            "rng": {"name": name, "keys": [int(k) for k in keys], "pos": int(pos),
                    "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        }

    def set_state(self, state):
        """Resume from a ``get_state()`` dict: the next batches are the ones that would have come."""
        n = self.num_examples
        try:
            order = np.frombuffer(base64.b64decode(state["order"]), "<i4").astype(np.int64)
            rng = state["rng"]
            rng_state = (rng["name"], np.array(rng["keys"], dtype=np.uint32), int(rng["pos"]),
                         int(rng["has_gauss"]), float(rng["cached_gaussian"]))
            index, epochs = int(state["index_in_epoch"]), int(state["epochs_completed"])
        except (KeyError, TypeError, ValueError) as e:
            raise UserError(f"not a DataSet state ({type(e).__name__}: {e})") from None
        if (state.get("num_examples") != n or len(order) != n
                or not np.array_equal(np.sort(order), np.arange(n))
                or not 0 <= index <= n or epochs < 0):
            raise UserError(f"the saved data state does not fit this set of {n} examples "
                            "(was it saved with another validation size?)")
        self._rng.set_state(rng_state)
        self._order = order
        self._index_in_epoch = index
        self._epochs_completed = epochs
        self.seed = state.get("seed", self.seed)


class DataSet(BatchOrder):
    """One split: ``images`` float32 [N, rows*cols], ``labels`` uint8 [N], and TF1's ``next_batch``.

    ``images`` and ``labels`` stay in file order (TF1's came out shuffled
    once ``next_batch`` had run); the batches are TF1's.  The shuffles come
    from the DataSet's own ``RandomState(seed)``.
    """

    def __init__(self, images, labels, seed):
        images = np.asarray(images)
        labels = np.asarray(labels)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"DataSet wants images [N, rows, cols] and labels [N], "
                             f"got {images.shape} and {labels.shape}")
        n = len(images)
        if seed is None:
            seed = _entropy_seed()
        if not 0 <= int(seed) < 2**32:
            raise UserError(f"seed {seed} is out of range: use 0 .. {2**32 - 1}")
        # TF1 called numpy.random.seed(seed) in DataSet.__init__, then
        # numpy.random.shuffle(arange(N)); RandomState(seed) is that same
        # Mersenne Twister stream, so the order equals TF1's read_data_sets(seed=seed).
        # (TF1 seeded the *global* generator once per split; train is the only
        # split that draws, so one generator per split changes nothing.)
        super().__init__(n, np.random.RandomState(int(seed)), int(seed))
        # The raw bytes (a view, no copy); ``images`` is computed from them on
        # first use, so the in-graph training loop, which scales each batch in
        # the graph, never holds 170 MB of float32 training images.
        self.pixels = images.reshape(n, images.shape[1] * images.shape[2])  # [N, 784] uint8
        self.labels = labels.astype(np.uint8)  # [N]

    def __repr__(self):
        return (f"DataSet(num_examples={self.num_examples}, seed={self.seed}, "
                f"epochs_completed={self._epochs_completed}, "
                f"index_in_epoch={self._index_in_epoch})")

    @functools.cached_property
    def images(self):
        """float32 [N, 784]: ``pixels`` scaled exactly as TF1 did."""
        return scale_pixels(self.pixels)

    scale = staticmethod(scale_pixels)

    def next_batch(self, batch_size, shuffle=True):
        """(images [batch_size, 784] float32, labels [batch_size] uint8), as TF1 drew them."""
        idx = self.next_batch_indices(batch_size, shuffle)
        return self.images[idx], self.labels[idx]


Datasets = collections.namedtuple("Datasets", "train validation test")


def _load(train_dir, name, found):
    """(path, array) of one file; its content MD5 goes into ``found`` unless that is None."""
    path = os.path.join(train_dir, name)
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file; run 'tf1repro train' to fetch MNIST there, "
                        f"or copy the four MNIST .gz files ({', '.join(FILES)}) into {train_dir}")
    head, body = _read_content(path)
    if found is not None:
        h = hashlib.md5(head)
        h.update(body)
        found[name] = h.hexdigest()
    return path, _parse(head, body)


def read_arrays(train_dir, verify=True):
    """The four arrays of the MNIST files in ``train_dir``: train images [N, rows, cols],
    train labels [N], test images, test labels (uint8, file order).

    ``verify`` checks the files' uncompressed MD5s: the four must be one
    known data set (``KNOWN_DATASETS``: MNIST, Fashion-MNIST), or else match
    none and pass ``check_format`` (an unknown data set of the same shapes);
    a partial match is a damaged copy (DataError).
    """
    found = {} if verify else None
    train_images_path, train_images = _load(train_dir, TRAIN_IMAGES, found)  # [60000, 28, 28]
    train_labels_path, train_labels = _load(train_dir, TRAIN_LABELS, found)  # [60000]
    test_images_path, test_images = _load(train_dir, TEST_IMAGES, found)     # [10000, 28, 28]
    test_labels_path, test_labels = _load(train_dir, TEST_LABELS, found)     # [10000]
    if verify and classify(train_dir, found) is None:
        check_format(train_dir, {TRAIN_IMAGES: train_images, TRAIN_LABELS: train_labels,
                                 TEST_IMAGES: test_images, TEST_LABELS: test_labels}, found)
    for ipath, images, lpath, labels in ((train_images_path, train_images, train_labels_path, train_labels),
                                         (test_images_path, test_images, test_labels_path, test_labels)):
        if len(images) != len(labels):
            raise DataError(f"{ipath} holds {len(images)} images but {lpath} holds "
                            f"{len(labels)} labels; delete both and run again to fetch fresh copies")
    return train_images, train_labels, test_images, test_labels


def read_data_sets(train_dir, validation_size=5000, seed=None, verify=True):
    """Train, validation and test DataSets from the four MNIST files in ``train_dir``.

    Validation is the first ``validation_size`` training images. ``verify``:
    see ``read_arrays``. With ``seed=None`` one is drawn from OS entropy (as
    TF1 did); all three sets get the same seed.
    """
    if isinstance(validation_size, bool) or not isinstance(validation_size, (int, np.integer)) \
            or validation_size < 0:
        raise DataError(f"validation size {validation_size!r} is out of range: "
                        "use 0 .. the number of training images (the notebook used 5000)")
    train_images, train_labels, test_images, test_labels = read_arrays(train_dir, verify)
    n_train = len(train_images)
    if validation_size > n_train:
        raise DataError(f"validation size {validation_size!r} is out of range: "
                        f"use 0 .. {n_train} (the notebook used 5000)")
    if seed is None:
        seed = _entropy_seed()
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:], seed),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size], seed),
        test=DataSet(test_images, test_labels, seed),
    )
