"""MNIST's IDX files: reading them (gzip or not), checking them, and telling which data set a
folder holds.

    images = read_idx("train-images-idx3-ubyte.gz")   # [60000, 28, 28] uint8
    verify(path, FILES[name][0])                      # the content's MD5, or DataError
    identify(folder)                                  # "MNIST", "Fashion-MNIST" or None

Known data sets are recognised by the MD5 of their uncompressed content;
unknown ones must have the shapes the network reads.
"""

import gzip
import hashlib
import os
import struct
import zlib

import numpy as np

from tf1repro.errors import DataError
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
