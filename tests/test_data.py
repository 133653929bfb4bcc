"""tf1repro.data.datasets: IDX parsing, TF1's scaling, split and next_batch rule, errors.

Expected values come from SPEC.md, from hand computation, or from an
independent transcription of TF1's DataSet (``TF1DataSet`` below).
"""

import gzip
import hashlib
import json
import struct
import time
import tracemalloc

import numpy as np
import pytest

from tf1repro.data.datasets import DataSet, Datasets, read_data_sets
from tf1repro.data.idx import read_idx, verify
from tf1repro.errors import DataError, UserError
from tf1repro.data.provision import default_data_dir, ensure_mnist

NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


# --- tiny IDX files, packed by hand ------------------------------------------

def images_idx(images):
    count, rows, cols = images.shape
    return struct.pack(">IIII", 2051, count, rows, cols) + images.astype(np.uint8).tobytes()


def labels_idx(labels):
    return struct.pack(">II", 2049, len(labels)) + np.asarray(labels, np.uint8).tobytes()


def write(path, content, gz=True):
    path.write_bytes(gzip.compress(content) if gz else content)
    return str(path)


def tiny_images(n, rows=2, cols=3):
    # image i holds pixel values i*rows*cols ... so each image is recognisable
    return (np.arange(n * rows * cols) % 256).astype(np.uint8).reshape(n, rows, cols)


def write_mnist(folder, n_train=10, n_test=4):
    """Four canonical-named files; train image i has all pixels i, label i % 10."""
    train = np.repeat(np.arange(n_train, dtype=np.uint8), 4).reshape(n_train, 2, 2)
    test = np.repeat(np.arange(100, 100 + n_test, dtype=np.uint8), 4).reshape(n_test, 2, 2)
    write(folder / NAMES[0], images_idx(train))
    write(folder / NAMES[1], labels_idx(np.arange(n_train) % 10))
    write(folder / NAMES[2], images_idx(test))
    write(folder / NAMES[3], labels_idx(np.arange(n_test) % 10))
    return str(folder)


def one_line_error(excinfo, *words):
    msg = str(excinfo.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)
    return msg


# --- reading ------------------------------------------------------------------

@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_images_and_labels(tmp_path, gz):
    images = tiny_images(5, 2, 3)
    got = read_idx(write(tmp_path / ("i.gz" if gz else "i"), images_idx(images), gz))
    assert got.dtype == np.uint8 and got.shape == (5, 2, 3)
    np.testing.assert_array_equal(got, images)
    got = read_idx(write(tmp_path / ("l.gz" if gz else "l"), labels_idx([7, 0, 255]), gz))
    assert got.dtype == np.uint8 and got.shape == (3,)
    assert got.tolist() == [7, 0, 255]


def test_read_idx_detects_gzip_by_magic(tmp_path):
    path = write(tmp_path / "labels-without-suffix", labels_idx([1, 2, 3]), gz=True)
    assert read_idx(path).tolist() == [1, 2, 3]


def test_read_idx_empty_sets(tmp_path):
    assert read_idx(write(tmp_path / "l.gz", labels_idx([]))).shape == (0,)
    assert read_idx(write(tmp_path / "i.gz", struct.pack(">IIII", 2051, 0, 28, 28))).shape == (0, 28, 28)


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_body(tmp_path, gz):
    content = images_idx(tiny_images(4, 3, 3))[:-5]  # 36 pixels declared, 31 present
    path = write(tmp_path / ("i.gz" if gz else "i"), content, gz)
    with pytest.raises(DataError) as e:
        read_idx(path)
    one_line_error(e, path, "truncated", "4 images of 3x3", "31 bytes", "delete it")


@pytest.mark.parametrize("gz", [True, False])
def test_trailing_bytes(tmp_path, gz):
    path = write(tmp_path / ("l.gz" if gz else "l"), labels_idx([1, 2]) + b"\x00", gz)
    with pytest.raises(DataError) as e:
        read_idx(path)
    one_line_error(e, path, "trailing", "delete it")


@pytest.mark.parametrize("content", [b"", b"\x00\x00\x08", struct.pack(">II", 2051, 1) + b"\x00\x00\x00\x1c"])
def test_short_header(tmp_path, content):
    path = write(tmp_path / "x.gz", content)
    with pytest.raises(DataError) as e:
        read_idx(path)
    one_line_error(e, path, "too short", "header")


def test_wrong_magic(tmp_path):
    path = write(tmp_path / "x.gz", struct.pack(">II", 2050, 1) + b"\x01")
    with pytest.raises(DataError) as e:
        read_idx(path)
    one_line_error(e, path, "2050", "2051", "2049")


def test_corrupt_gzip(tmp_path):
    good = gzip.compress(labels_idx(np.arange(200) % 10))
    cases = {
        "garbage.gz": b"\x1f\x8b\x08\x00" + b"\xff" * 40,         # gzip magic, broken deflate data
        "cut.gz": good[: len(good) // 2],                          # stream ends early
        "notgzip.gz": labels_idx([1, 2]),                          # .gz name, raw content
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DataError) as e:
            read_idx(str(path))
        one_line_error(e, str(path), "gzip", "delete it")


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError) as e:
        read_idx(str(tmp_path / "nope.gz"))
    one_line_error(e, "nope.gz")


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("header", [
    struct.pack(">II", 2049, 2**32 - 1),                              # 4 G labels
    struct.pack(">IIII", 2051, 2**32 - 1, 2**32 - 1, 2**32 - 1),      # 2**96 pixels
])
def test_lying_header_does_not_allocate(tmp_path, gz, header):
    path = write(tmp_path / ("x.gz" if gz else "x"), header + b"\x07" * 1000, gz)
    tracemalloc.start()
    t = time.perf_counter()
    try:
        with pytest.raises(DataError) as e:
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t < 1.0
    assert peak < 4 << 20  # a few MB of chunk buffers, not gigabytes
    one_line_error(e, path, "truncated", "1000 bytes")


def test_gzip_bomb_is_read_only_up_to_the_declared_size(tmp_path):
    # 64 MB of zeros after a header declaring 10 labels: compresses to ~64 kB
    path = write(tmp_path / "bomb.gz", labels_idx(np.zeros(10)) + bytes(64 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as e:
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20
    one_line_error(e, path, "trailing")


# --- verify -------------------------------------------------------------------

def test_verify_one_changed_byte(tmp_path):
    content = images_idx(tiny_images(6, 4, 4))
    good_md5 = hashlib.md5(content).hexdigest()
    path = write(tmp_path / "i.gz", content)
    assert verify(path, good_md5) == good_md5
    bad = bytearray(content)
    bad[50] ^= 1
    bad_md5 = hashlib.md5(bytes(bad)).hexdigest()
    path = write(tmp_path / "i.gz", bytes(bad))
    with pytest.raises(DataError) as e:
        verify(path, good_md5)
    one_line_error(e, path, good_md5, bad_md5, "delete it and run again")


def test_read_data_sets_verifies_md5(tmp_path):
    folder = write_mnist(tmp_path)  # not the real MNIST: its MD5s cannot match
    with pytest.raises(DataError) as e:
        read_data_sets(folder, validation_size=3, seed=0)
    one_line_error(e, NAMES[0], "6bbc9ace898e44ae57da46a324031adb", "delete it")
    read_data_sets(folder, validation_size=3, seed=0, verify=False)


# --- DataSet: scaling ---------------------------------------------------------

def test_scaling_is_tf1s_float32_multiply():
    images = np.arange(256, dtype=np.uint8).reshape(16, 4, 4)
    ds = DataSet(images, np.zeros(16, np.uint8), seed=0)
    assert ds.images.dtype == np.float32 and ds.images.shape == (16, 16)
    got = ds.images.reshape(256)
    # TF1: astype(float32) then numpy.multiply(images, 1.0 / 255.0), in float32
    scale = np.float32(1.0 / 255.0)
    tf1 = [np.float32(v) * scale for v in range(256)]
    assert [g.tobytes() for g in got] == [t.tobytes() for t in tf1]
    assert got[255] == np.float32(1.0)
    assert got[51] == np.float32(51) * np.float32(1 / 255)
    assert got[0] == 0.0
    # SPEC: not bit-identical to x / 255.0 -- 126 of the 256 values differ by one ulp
    divided = np.arange(256, dtype=np.float32) / np.float32(255.0)
    differ = got != divided
    assert differ.sum() == 126
    assert np.all(np.abs(got[differ].view(np.int32) - divided[differ].view(np.int32)) == 1)


def test_dataset_shapes_and_labels():
    ds = DataSet(tiny_images(5, 2, 3), np.array([3, 1, 4, 1, 5]), seed=1)
    assert ds.images.shape == (5, 6)
    assert ds.labels.dtype == np.uint8 and ds.labels.tolist() == [3, 1, 4, 1, 5]
    assert ds.num_examples == 5 and ds.epochs_completed == 0
    assert "num_examples=5" in repr(ds)


# --- read_data_sets: the split ------------------------------------------------

def test_split_validation_is_the_head_in_file_order(tmp_path):
    folder = write_mnist(tmp_path, n_train=10, n_test=4)
    ds = read_data_sets(folder, validation_size=3, seed=5, verify=False)
    assert isinstance(ds, Datasets)
    assert ds.validation.num_examples == 3 and ds.train.num_examples == 7 and ds.test.num_examples == 4
    # image i has all pixels i: scaled, pixel 0 of each row identifies it
    assert np.round(ds.validation.images[:, 0] * 255).tolist() == [0, 1, 2]
    assert np.round(ds.train.images[:, 0] * 255).tolist() == [3, 4, 5, 6, 7, 8, 9]
    assert ds.train.labels.tolist() == [3, 4, 5, 6, 7, 8, 9]
    assert np.round(ds.test.images[:, 0] * 255).tolist() == [100, 101, 102, 103]
    assert ds.train.seed == ds.validation.seed == ds.test.seed == 5


def test_split_extremes_and_out_of_range(tmp_path):
    folder = write_mnist(tmp_path, n_train=10)
    assert read_data_sets(folder, validation_size=0, seed=0, verify=False).train.num_examples == 10
    assert read_data_sets(folder, validation_size=10, seed=0, verify=False).validation.num_examples == 10
    for bad in (-1, 11, 2.5, True):
        with pytest.raises(DataError) as e:
            read_data_sets(folder, validation_size=bad, seed=0, verify=False)
        one_line_error(e, "validation size")


def test_seed_none_draws_one_and_shares_it(tmp_path):
    folder = write_mnist(tmp_path)
    a = read_data_sets(folder, validation_size=3, verify=False)
    b = read_data_sets(folder, validation_size=3, verify=False)
    assert a.train.seed == a.validation.seed == a.test.seed
    assert a.train.seed != b.train.seed  # 1 in 2**32 chance of a false failure


def test_missing_file_names_it_and_says_how_to_get_it(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / NAMES[3]).unlink()
    with pytest.raises(DataError) as e:
        read_data_sets(str(tmp_path), verify=False)
    one_line_error(e, NAMES[3], "tf1repro train")


def test_image_and_label_counts_must_agree(tmp_path):
    write_mnist(tmp_path, n_train=10)
    write(tmp_path / NAMES[1], labels_idx(np.arange(9)))
    with pytest.raises(DataError) as e:
        read_data_sets(str(tmp_path), validation_size=3, verify=False)
    one_line_error(e, NAMES[0], NAMES[1], "10 images", "9 labels")


# --- next_batch: TF1's rule -----------------------------------------------------

class TF1DataSet:
    """TF 1.x's mnist.DataSet.next_batch, transcribed: global RNG, permuted arrays."""

    def __init__(self, images, labels, seed):
        np.random.seed(seed)
        self._images, self._labels = images, labels
        self._num_examples = len(images)
        self._epochs_completed = 0
        self._index_in_epoch = 0

    def next_batch(self, batch_size):
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0:
            perm0 = np.arange(self._num_examples)
            np.random.shuffle(perm0)
            self._images = self._images[perm0]
            self._labels = self._labels[perm0]
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest_num_examples = self._num_examples - start
            images_rest_part = self._images[start:self._num_examples]
            labels_rest_part = self._labels[start:self._num_examples]
            perm = np.arange(self._num_examples)
            np.random.shuffle(perm)
            self._images = self._images[perm]
            self._labels = self._labels[perm]
            start = 0
            self._index_in_epoch = batch_size - rest_num_examples
            end = self._index_in_epoch
            return (np.concatenate((images_rest_part, self._images[start:end]), axis=0),
                    np.concatenate((labels_rest_part, self._labels[start:end]), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]


def reference_batches(images_flat, labels, seed, batch_size, steps):
    saved = np.random.get_state()
    try:
        ref = TF1DataSet(images_flat, labels, seed)
        out = []
        for _ in range(steps):
            x, y = ref.next_batch(batch_size)
            out.append((x, y, ref._epochs_completed))
        return out
    finally:
        np.random.set_state(saved)


@pytest.mark.parametrize("n,batch_size,steps", [
    (10, 5, 7),    # divides: no leftover
    (10, 3, 12),   # leftover of 1 + new head of 2, across several epochs
    (13, 4, 15),
    (7, 7, 4),     # one batch is the whole set
    (7, 1, 20),
])
def test_next_batch_matches_tf1(n, batch_size, steps):
    seed = 1234
    images = tiny_images(n, 1, 1)  # image i is the single pixel i
    labels = np.arange(n, dtype=np.uint8)[::-1].copy()
    ds = DataSet(images, labels, seed)
    expected = reference_batches(ds.images.copy(), labels, seed, batch_size, steps)
    seen = []
    for x_ref, y_ref, epochs_ref in expected:
        x, y = ds.next_batch(batch_size)
        assert x.shape == (batch_size, 1) and x.dtype == np.float32
        np.testing.assert_array_equal(x, x_ref)
        np.testing.assert_array_equal(y, y_ref)
        assert ds.epochs_completed == epochs_ref
        seen.extend(y.tolist())
    # every epoch holds each example once
    full = (len(seen) // n) * n
    assert sorted(seen[:full]) == sorted(labels.tolist() * (full // n))


def test_leftover_plus_new_head_by_hand():
    # N = 10, batch 3: the fourth batch is order[9] of epoch 1 and the first two of epoch 2
    ds = DataSet(tiny_images(10, 1, 1), np.arange(10), seed=7)
    rng = np.random.RandomState(7)
    first = np.arange(10)
    rng.shuffle(first)
    second_perm = np.arange(10)
    rng.shuffle(second_perm)
    second = first[second_perm]
    batches = [ds.next_batch_indices(3) for _ in range(4)]
    assert [b.tolist() for b in batches[:3]] == [first[0:3].tolist(), first[3:6].tolist(), first[6:9].tolist()]
    assert batches[3].tolist() == [first[9]] + second[0:2].tolist()
    assert batches[3].dtype == np.int64
    assert ds.epochs_completed == 1


def test_next_batch_indices_agree_with_next_batch():
    images, labels = tiny_images(11, 2, 2), np.arange(11)
    a, b = DataSet(images, labels, seed=3), DataSet(images, labels, seed=3)
    for _ in range(9):
        idx = a.next_batch_indices(4)
        x, y = b.next_batch(4)
        np.testing.assert_array_equal(a.images[idx], x)
        np.testing.assert_array_equal(a.labels[idx], y)


def test_batch_size_out_of_range():
    ds = DataSet(tiny_images(5, 1, 1), np.arange(5), seed=0)
    for bad in (0, -1, 6):
        with pytest.raises(UserError):
            ds.next_batch(bad)


def test_state_round_trip_resumes_bit_exactly():
    images, labels = tiny_images(13, 1, 2), np.arange(13)
    ds = DataSet(images, labels, seed=42)
    for _ in range(5):
        ds.next_batch(4)  # into the second epoch
    state = json.loads(json.dumps(ds.get_state()))
    resumed = DataSet(images, labels, seed=999)  # a different seed: the state must win
    resumed.set_state(state)
    assert resumed.epochs_completed == ds.epochs_completed == 1
    for _ in range(20):
        np.testing.assert_array_equal(resumed.next_batch_indices(4), ds.next_batch_indices(4))
    with pytest.raises(UserError):
        DataSet(tiny_images(12, 1, 2), np.arange(12), seed=0).set_state(state)


def test_state_before_first_batch():
    images, labels = tiny_images(6, 1, 1), np.arange(6)
    ds = DataSet(images, labels, seed=8)
    resumed = DataSet(images, labels, seed=0)
    resumed.set_state(json.loads(json.dumps(ds.get_state())))
    for _ in range(5):
        np.testing.assert_array_equal(resumed.next_batch_indices(4), ds.next_batch_indices(4))


# --- the real MNIST (SPEC.md's figures) -----------------------------------------

@pytest.fixture(scope="module")
def mnist():
    try:
        ensure_mnist(default_data_dir(), log=lambda line: None)
    except DataError as e:
        pytest.skip(f"real MNIST is not available in {default_data_dir()}: {e}")
    return read_data_sets(default_data_dir(), seed=0)


def test_real_shapes(mnist):
    assert mnist.train.images.shape == (55000, 784)
    assert mnist.validation.images.shape == (5000, 784)
    assert mnist.test.images.shape == (10000, 784)
    assert mnist.train.images.dtype == np.float32 and mnist.train.labels.dtype == np.uint8


def test_real_labels(mnist):
    all_train = np.concatenate([mnist.validation.labels, mnist.train.labels])  # file order
    assert all_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(all_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(mnist.test.labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_pixel_statistics(mnist):
    x = np.concatenate([mnist.validation.images, mnist.train.images]).astype(np.float64)
    assert round(x.mean(), 4) == 0.1307
    assert round(x.std(), 4) == 0.3081
    assert x.min() == 0.0 and x.max() == 1.0


def test_real_epoch_of_275_batches_has_no_leftover(mnist):
    ds = DataSet(np.zeros((55000, 1, 1), np.uint8), mnist.train.labels, seed=0)
    seen = np.concatenate([ds.next_batch_indices(200) for _ in range(275)])
    assert ds.epochs_completed == 0
    assert np.array_equal(np.sort(seen), np.arange(55000))
    nxt = ds.next_batch_indices(200)
    assert ds.epochs_completed == 1 and ds.index_in_epoch == 200
    # TF1 with seed 0: np.random.seed(0), shuffle once, then again at the boundary
    rng = np.random.RandomState(0)
    first = np.arange(55000)
    rng.shuffle(first)
    assert seen.tolist() == first.tolist()
    perm = np.arange(55000)
    rng.shuffle(perm)
    assert nxt.tolist() == first[perm][:200].tolist()


def test_real_load_is_fast(mnist):
    t = time.perf_counter()
    read_data_sets(default_data_dir(), seed=0, verify=True)
    assert time.perf_counter() - t < 2.0
