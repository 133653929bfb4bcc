"""--data-dir with other data sets in MNIST's format: known ones verified, unknown ones checked.

The rule: four files that all match a known data set's MD5s are that data
set; some matching and others not is a damaged copy (DataError); none
matching is an unknown data set, allowed when headers, shapes and sizes fit
the network, and named unverified.  Fashion-MNIST tests use Debian's
dataset-fashion-mnist package and are skipped where it is not installed.
"""

import gzip
import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

from tf1repro.data import datasets as data
from tf1repro.data import idx
from tf1repro.data.datasets import read_data_sets
from tf1repro.data.idx import (FASHION_MNIST_DIR, FILES, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES,
                               TRAIN_LABELS, identify)
from tf1repro.errors import DataError
from tf1repro.data.provision import SOURCE_PRESENT, SOURCE_UNVERIFIED, default_data_dir, ensure_mnist

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FASHION = all(os.path.exists(os.path.join(FASHION_MNIST_DIR, n)) for n in FILES)
needs_fashion = pytest.mark.skipif(
    not FASHION, reason=f"Fashion-MNIST not installed in {FASHION_MNIST_DIR} "
                        "(apt-get install dataset-fashion-mnist)")


def write_idx(path, array):
    if array.ndim == 3:
        head = struct.pack(">IIII", 2051, *array.shape)
    else:
        head = struct.pack(">II", 2049, len(array))
    path.write_bytes(gzip.compress(head + array.astype(np.uint8).tobytes(), mtime=0))


def unknown_folder(folder, n_train=5100, n_test=50, rows=28, cols=28, max_label=9):
    """Four IDX files of an unknown data set: as many images and labels as asked."""
    folder.mkdir(parents=True, exist_ok=True)
    for images_name, labels_name, n in ((TRAIN_IMAGES, TRAIN_LABELS, n_train),
                                        (TEST_IMAGES, TEST_LABELS, n_test)):
        labels = np.arange(n) % (max_label + 1)
        images = (labels[:, None, None] * 25 + np.arange(rows * cols).reshape(1, rows, cols)) % 256
        write_idx(folder / images_name, images)
        write_idx(folder / labels_name, labels)
    return str(folder)


def snapshot(folder):
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


@pytest.fixture(scope="module")
def mnist_dir():
    path = default_data_dir()
    ensure_mnist(path, log=lambda line: None)
    return path


def test_the_mnist_cache_is_mnist(mnist_dir):
    assert identify(mnist_dir) == "MNIST"
    assert ensure_mnist(mnist_dir, log=lambda line: None) == SOURCE_PRESENT


def test_an_unknown_data_set_of_the_same_shapes_is_allowed_and_named_unverified(tmp_path):
    folder = unknown_folder(tmp_path / "mine")
    assert identify(folder) is None
    assert ensure_mnist(folder, log=lambda line: None) == SOURCE_UNVERIFIED
    assert "unverified" in SOURCE_UNVERIFIED
    sets = read_data_sets(folder, seed=0)  # verify=True: the same rule
    assert sets.train.num_examples == 100 and sets.validation.num_examples == 5000
    assert sets.test.images.shape == (50, 784)


@pytest.mark.parametrize("kind, words", [
    (dict(rows=14, cols=14), ["14x14", "28x28"]),
    (dict(max_label=11), ["label 11", "labels 0..9"]),
])
def test_an_unknown_data_set_that_does_not_fit_the_network_is_refused(tmp_path, kind, words):
    folder = unknown_folder(tmp_path / "mine", n_train=20, n_test=10, **kind)
    for check in (identify, lambda f: ensure_mnist(f, log=lambda line: None),
                  lambda f: read_data_sets(f, validation_size=5, seed=0)):
        with pytest.raises(DataError) as e:
            check(folder)
        msg = str(e.value)
        assert "\n" not in msg and all(w in msg for w in words), msg


def test_images_and_labels_swapped_are_refused(tmp_path):
    folder = tmp_path / "mine"
    unknown_folder(folder, n_train=20, n_test=10)
    train_images = (folder / TRAIN_IMAGES).read_bytes()
    (folder / TRAIN_IMAGES).write_bytes((folder / TRAIN_LABELS).read_bytes())
    (folder / TRAIN_LABELS).write_bytes(train_images)
    with pytest.raises(DataError) as e:
        identify(str(folder))
    assert "not images" in str(e.value)


def test_mnist_with_one_foreign_file_is_a_damaged_copy(tmp_path, mnist_dir):
    folder = tmp_path / "mixed"
    unknown_folder(folder, n_train=20, n_test=10)
    for name in (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES):
        os.remove(folder / name)
        os.symlink(os.path.join(mnist_dir, name), folder / name)
    for check in (identify, lambda f: ensure_mnist(f, log=lambda line: None),
                  lambda f: read_data_sets(f, seed=0)):
        with pytest.raises(DataError) as e:
            check(str(folder))
        msg = str(e.value)
        assert TEST_LABELS in msg and FILES[TEST_LABELS][0] in msg and "damaged" in msg, msg


def test_a_partial_unknown_folder_is_not_filled_with_mnist(tmp_path):
    folder = tmp_path / "mine"
    unknown_folder(folder, n_train=20, n_test=10)
    os.remove(folder / TEST_LABELS)
    before = snapshot(folder)
    with pytest.raises(DataError) as e:
        ensure_mnist(str(folder), log=lambda line: None)
    assert "lacks " + TEST_LABELS in str(e.value)
    assert snapshot(folder) == before


def test_the_default_cache_folder_holds_mnist_only(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    cache = tmp_path / ".cache" / "tf1repro" / "mnist"
    unknown_folder(cache)
    with pytest.raises(DataError) as e:
        ensure_mnist(str(cache), log=lambda line: None)
    assert "MNIST cache" in str(e.value) and "--data-dir" in str(e.value)


@needs_fashion
def test_fashion_mnist_is_verified_by_md5():
    assert identify(FASHION_MNIST_DIR) == "Fashion-MNIST"
    assert ensure_mnist(FASHION_MNIST_DIR, log=lambda line: None) == \
        f"Fashion-MNIST, {SOURCE_PRESENT}"
    for name, (md5, size) in idx.FASHION_MNIST_FILES.items():
        content = gzip.open(os.path.join(FASHION_MNIST_DIR, name)).read()
        assert len(content) == size
    sets = read_data_sets(FASHION_MNIST_DIR, seed=0)
    assert sets.train.num_examples == 55000 and sets.test.num_examples == 10000
    assert np.bincount(sets.test.labels).tolist() == [1000] * 10


@needs_fashion
def test_mnist_and_fashion_mnist_mixed_are_refused(tmp_path, mnist_dir):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in FILES:
        source = FASHION_MNIST_DIR if name == TRAIN_LABELS else mnist_dir
        os.symlink(os.path.join(source, name), folder / name)
    with pytest.raises(DataError) as e:
        identify(str(folder))
    assert TRAIN_LABELS in str(e.value) and "damaged" in str(e.value)


def train_cli(data_dir, tmp_path, *extra):
    ckpt = tmp_path / "run" / "my_model_final.ckpt"
    r = subprocess.run([sys.executable, "-m", "tf1repro", "train", "--seed", "1", "--epochs", "1",
                        "--data-dir", data_dir, "--checkpoint", str(ckpt), *extra],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    return r.stdout.splitlines(), record


def test_training_on_an_unknown_folder_says_unverified(tmp_path):
    folder = unknown_folder(tmp_path / "mine")
    lines, record = train_cli(folder, tmp_path, "--batch-size", "100")
    assert [ln for ln in lines if ln.startswith("# data:")] == [
        f"# data: {folder} ({SOURCE_UNVERIFIED})"]
    assert record["data"]["source"] == SOURCE_UNVERIFIED


@needs_fashion
def test_training_on_fashion_mnist(tmp_path):
    lines, record = train_cli(FASHION_MNIST_DIR, tmp_path, "--batch-size", "1000")
    assert [ln for ln in lines if ln.startswith("# data:")] == [
        f"# data: {FASHION_MNIST_DIR} (Fashion-MNIST, {SOURCE_PRESENT})"]
    assert 0.6 < record["epochs"][0]["validation_accuracy"] < 0.95  # harder than MNIST
