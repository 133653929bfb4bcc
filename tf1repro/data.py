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
Getting the files onto a machine is ``tf1repro.provision``'s job.
"""

import base64
import collections
import functools
import gzip
import hashlib
import os
import struct
import zlib

import numpy as np

from tf1repro.errors import DataError, UserError
from tf1repro.files import resource_error

# Uncompressed content of the canonical files: (MD5, bytes).
FILES = {
    "train-images-idx3-ubyte.gz": ("6bbc9ace898e44ae57da46a324031adb", 47040016),
    "train-labels-idx1-ubyte.gz": ("a25bea736e30d166cdddb491f175f624", 60008),
    "t10k-images-idx3-ubyte.gz": ("2646ac647ad5339dbf082846283269ea", 7840016),
    "t10k-labels-idx1-ubyte.gz": ("27ae3e4e09519cfbb04c329615203637", 10008),
}
TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = FILES

# Other data sets in MNIST's format, known by the same (MD5, bytes) table.
# Fashion-MNIST (Zalando Research, MIT) as Debian's dataset-fashion-mnist
# package installs it.
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": ("f4a8712d7a061bf5bd6d2ca38dc4d50a", 47040016),
    "train-labels-idx1-ubyte.gz": ("9018921c3c673c538a1fc5bad174d6f9", 60008),
    "t10k-images-idx3-ubyte.gz": ("8181f5470baa50b63fa0f6fddb340f0a", 7840016),
    "t10k-labels-idx1-ubyte.gz": ("15d484375f8d13e6eb1aabb0c3f46965", 10008),
}
KNOWN_DATASETS = {"MNIST": FILES, "Fashion-MNIST": FASHION_MNIST_FILES}
# What a folder of unknown files must hold to fit the network: 28x28 images
# (784 inputs) and labels 0..9 (10 outputs).
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10

PIXEL_SCALE = 1.0 / 255.0  # TF1: images.astype(float32) * float32(1/255)
IMAGES_MAGIC = 2051  # header: magic, count, rows, cols
LABELS_MAGIC = 2049  # header: magic, count

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
_FIRST_CHUNK = 64 << 10
_FRESH = "delete it and run again to fetch a fresh copy"


def _raise_if_machine(error, path):
    """ResourceError (exit 4) when reading ``path`` failed for the machine's reasons (I/O, memory)."""
    machine = resource_error(error, f"reading {path}", reading=True)
    if machine is not None:
        raise machine from None


def _is_gzip(path):
    if path.endswith(".gz"):
        return True
    with open(path, "rb") as f:
        return f.read(2) == _GZIP_MAGIC


def _open(path):
    try:
        return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")
    except OSError as e:
        _raise_if_machine(e, path)
        raise DataError(f"{path}: cannot read ({e.strerror or e})") from None


def _read_at_most(f, path, limit):
    """Up to ``limit`` bytes of ``f``, grown chunk by chunk.

    Memory follows what the stream actually yields, never what a header
    claims, so a lying header or a gzip bomb cannot make us allocate more
    than min(limit, content present).  A read allocates all it asks for up
    front, so each asks for no more than a plain file has left, and no more
    than has arrived so far (from 64 KiB up to 1 MiB): a 20-byte file costs
    20 bytes, not a 1 MiB buffer.
    """
    if not isinstance(f, gzip.GzipFile):
        try:
            limit = min(limit, os.fstat(f.fileno()).st_size - f.tell())
        except (OSError, AttributeError, ValueError):
            pass
    buf = bytearray()
    try:
        while len(buf) < limit:
            chunk = f.read(min(_CHUNK, max(len(buf), _FIRST_CHUNK), limit - len(buf)))
            if not chunk:
                break
            buf += chunk
    except (OSError, EOFError, zlib.error, MemoryError) as e:
        # BadGzipFile is an OSError (without an errno); a cut-off gzip
        # stream is an EOFError; a failing disk is an OSError with EIO.
        _raise_if_machine(e, path)
        raise DataError(f"{path}: corrupt or truncated gzip data ({e}); {_FRESH}") from None
    return buf


def _read_content(path):
    """(header, body) of an IDX file, decompressed; the body is bounded by the header."""
    with _open(path) as f:
        head = _read_at_most(f, path, 8)
        if len(head) < 8:
            raise DataError(f"{path}: too short for an IDX header ({len(head)} bytes); {_FRESH}")
        magic, count = struct.unpack(">II", head)
        if magic == IMAGES_MAGIC:
            dims = _read_at_most(f, path, 8)
            if len(dims) < 8:
                raise DataError(f"{path}: too short for an IDX image header "
                                f"({8 + len(dims)} of 16 bytes); {_FRESH}")
            head += dims
        elif magic != LABELS_MAGIC:
            raise DataError(f"{path}: not an MNIST IDX file (magic number {magic}, expected "
                            f"{IMAGES_MAGIC} for images or {LABELS_MAGIC} for labels); {_FRESH}")
        body_size = _body_size(head)
        # +1 so trailing bytes show up without reading the rest of them.
        body = _read_at_most(f, path, body_size + 1)
    _check_body(path, head, len(body))
    return bytes(head), body


def _body_size(head):
    if len(head) == 16:
        _, count, rows, cols = struct.unpack(">IIII", head)
        return count * rows * cols  # Python ints: no overflow, whatever the header says
    return struct.unpack(">II", head)[1]


def _describe(head):
    if len(head) == 16:
        _, count, rows, cols = struct.unpack(">IIII", head)
        return f"{count} images of {rows}x{cols}", "of pixels"
    return f"{struct.unpack('>II', head)[1]} labels", "of labels"


def _check_body(path, head, n):
    want = _body_size(head)
    what, of = _describe(head)
    if n < want:
        raise DataError(f"{path}: truncated: header says {what} but the file holds {n} bytes "
                        f"{of}; {_FRESH}")
    if n > want:
        raise DataError(f"{path}: trailing bytes after the {want} bytes {of} its header "
                        f"declares ({what}); {_FRESH}")


def _parse(head, body):
    """uint8 array over ``body`` (no copy), shaped by an already checked header."""
    if len(head) == 16:
        _, count, rows, cols = struct.unpack(">IIII", head)
        return np.frombuffer(body, np.uint8).reshape(count, rows, cols)
    return np.frombuffer(body, np.uint8)


def read_idx(path):
    """uint8 array of an IDX file, gzipped or raw: images [count, rows, cols] or labels [count]."""
    return _parse(*_read_content(path))


def _md5_mismatch(path, expected, found):
    return DataError(f"{path}: MD5 of its content is {found}, expected {expected}; "
                     f"the file is damaged or not MNIST: {_FRESH}")


def content_md5(path):
    """MD5 of ``path``'s uncompressed content; DataError for a corrupt gzip stream."""
    h = hashlib.md5()
    with _open(path) as f:
        try:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                h.update(chunk)
        except (OSError, EOFError, zlib.error, MemoryError) as e:
            _raise_if_machine(e, path)
            raise DataError(f"{path}: corrupt or truncated gzip data ({e}); {_FRESH}") from None
    return h.hexdigest()


def verify(path, expected_md5):
    """Check the MD5 of ``path``'s uncompressed content; return it, or raise DataError."""
    found = content_md5(path)
    if found != expected_md5:
        raise _md5_mismatch(path, expected_md5, found)
    return found


def classify(folder, found):
    """Which known data set the files ``found`` ({file name: content MD5}) in ``folder`` are.

    The name (``KNOWN_DATASETS``) that every one of them matches; None when
    none matches any known set (an unknown data set: ``check_format`` it);
    DataError when some match and others do not, which is a damaged copy
    or two data sets mixed in one folder.
    """
    matches = {name: {ds for ds, table in KNOWN_DATASETS.items() if table[name][0] == md5}
               for name, md5 in found.items()}
    if not any(matches.values()):
        return None
    for ds in KNOWN_DATASETS:
        if all(ds in m for m in matches.values()):
            return ds
    ds = max(KNOWN_DATASETS, key=lambda d: sum(d in m for m in matches.values()))
    name = next(n for n, m in matches.items() if ds not in m)
    path = os.path.join(folder, name)
    if ds == "MNIST":
        raise _md5_mismatch(path, FILES[name][0], found[name])
    raise DataError(f"{path}: MD5 of its content is {found[name]}, expected "
                    f"{KNOWN_DATASETS[ds][name][0]}: the other files are {ds}, so this one is "
                    f"damaged or from another data set; replace it with a good copy of {ds}")


def check_format(folder, arrays, found=None):
    """Check that unknown IDX data fits the network, or raise DataError.

    ``arrays`` maps the four file names to their arrays (``read_idx``):
    images must be [N, 28, 28], labels [N] in 0..9, as many labels as
    images.  ``found`` (file name: MD5) makes the messages say the files
    are not MNIST.
    """
    def bad(name, what):
        md5 = (found or {}).get(name)
        known = (f" Its MD5 {md5} is not MNIST's ({FILES[name][0]}) nor another known data set's."
                 if md5 else "")
        return DataError(f"{os.path.join(folder, name)}: {what}; the network reads {IMAGE_SHAPE[0]}x"
                         f"{IMAGE_SHAPE[1]} images and labels 0..{NUM_CLASSES - 1}.{known} If this "
                         f"folder was meant to hold MNIST, {_FRESH}")

    for images_name, labels_name in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        images, labels = arrays[images_name], arrays[labels_name]
        if images.ndim != 3:
            raise bad(images_name, f"holds {len(images)} labels, not images")
        if images.shape[1:] != IMAGE_SHAPE:
            raise bad(images_name, f"holds {len(images)} images of {images.shape[1]}x{images.shape[2]}")
        if labels.ndim != 1:
            raise bad(labels_name, f"holds {len(labels)} images, not labels")
        if labels.size and int(labels.max()) >= NUM_CLASSES:
            raise bad(labels_name, f"holds label {int(labels.max())}")
        if len(images) != len(labels):
            raise bad(labels_name, f"holds {len(labels)} labels for {len(images)} images")


def identify(folder):
    """Which data set the four files in ``folder`` hold: a ``KNOWN_DATASETS`` name, or None.

    Known sets are recognised by MD5 (all four files must match); a folder
    whose files match none is checked for headers, shapes and sizes and
    gives None (unverified); anything else raises DataError.
    """
    paths = {name: os.path.join(folder, name) for name in FILES}
    for path in paths.values():
        if not os.path.exists(path):
            raise DataError(f"{path}: no such file; a data folder holds the four files "
                            f"{', '.join(FILES)}")
    found = {name: content_md5(path) for name, path in paths.items()}
    dataset = classify(folder, found)
    if dataset is None:
        check_format(folder, {name: read_idx(path) for name, path in paths.items()}, found)
    return dataset


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
    itself, the global generator TF 1.x used.
    """

    def __init__(self, num_examples, rng, seed=None):
        self._num_examples = num_examples
        self._rng = rng
        self.seed = seed
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
