"""The IDX reader on untrusted bytes: random and mutated headers and bodies (hypothesis).

Whatever a file holds, ``read_idx`` either returns the array its header
describes or raises ``DataError`` (one line, naming the file); no other
exception.  Memory follows the bytes actually present, never the header's
claims (up to 2**96 pixels): a plain file costs at most its own size plus
Python's small objects, a gzip one about twice what its stream decodes to
plus zlib's buffers.  tracemalloc sees NumPy's and bytes' allocations.
"""

import gzip
import io
import os
import struct
import tempfile
import tracemalloc
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tf1repro.data.idx import IMAGES_MAGIC, LABELS_MAGIC, DataError, read_idx

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
RAW_SLACK = 32 << 10    # Python objects, the exception and its message
GZIP_SLACK = 256 << 10  # zlib's window and state, gzip's input buffer, the first 64 KiB read

u32 = st.integers(0, 2**32 - 1)
small = st.integers(0, 6)
dim = st.one_of(small, small, u32, st.sampled_from([2**31, 2**32 - 1]))  # mostly honest


@st.composite
def headers(draw):
    """Valid-looking and lying IDX headers, and a few that are not headers at all."""
    kind = draw(st.sampled_from(["images", "labels", "other magic", "short"]))
    if kind == "images":
        return struct.pack(">IIII", IMAGES_MAGIC, draw(dim), draw(dim), draw(dim))
    if kind == "labels":
        return struct.pack(">II", LABELS_MAGIC, draw(dim))
    if kind == "other magic":
        return struct.pack(">II", draw(u32), draw(dim)) + draw(st.binary(max_size=8))
    return draw(st.binary(max_size=15))


def valid_content(draw):
    if draw(st.booleans()):
        count, rows, cols = draw(small), draw(small), draw(small)
        body = draw(st.binary(min_size=count * rows * cols, max_size=count * rows * cols))
        return struct.pack(">IIII", IMAGES_MAGIC, count, rows, cols) + body
    count = draw(st.integers(0, 200))
    return struct.pack(">II", LABELS_MAGIC, count) + draw(st.binary(min_size=count, max_size=count))


@st.composite
def mutated(draw):
    """A valid IDX file's bytes with a few bytes flipped, cut off or appended."""
    content = bytearray(valid_content(draw))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "truncate", "append", "header field"]))
        if op == "flip" and content:
            i = draw(st.integers(0, len(content) - 1))
            content[i] ^= draw(st.integers(1, 255))
        elif op == "truncate":
            del content[draw(st.integers(0, len(content))):]
        elif op == "append":
            content += draw(st.binary(min_size=1, max_size=64))
        elif op == "header field" and len(content) >= 8:
            field = draw(st.integers(1, min(3, len(content) // 4 - 1)))
            content[4 * field:4 * field + 4] = struct.pack(">I", draw(u32))
    return bytes(content)


def decoded_size(gz_bytes):
    """How many bytes a gzip stream yields before it ends or breaks: what it really holds."""
    n = 0
    with gzip.GzipFile(fileobj=io.BytesIO(gz_bytes)) as f:
        try:
            while True:
                chunk = f.read(1 << 16)
                if not chunk:
                    return n
                n += len(chunk)
        except (OSError, EOFError, zlib.error):
            return n


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory(prefix="tf1repro-idx-") as d:
        yield d


def read_traced(path):
    """(array or DataError, peak bytes allocated while reading)."""
    tracemalloc.start()
    try:
        try:
            outcome = read_idx(path)
        except DataError as e:
            outcome = e
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, peak


def check(folder, content, how):
    """Write ``content`` raw, gzipped or with gzip's bytes mutated, read it, check the contract."""
    name = {"raw": "file", "gz": "file.gz"}.get(how, "file.gz")
    path = os.path.join(folder, name)
    data = content if how == "raw" else gzip.compress(content, mtime=0)
    if how == "gz damaged":
        data = bytearray(data)
        data[len(data) // 2] ^= 0x5A
        data = bytes(data)
    with open(path, "wb") as f:
        f.write(data)
    outcome, peak = read_traced(path)
    if how == "raw":
        assert peak <= len(data) + RAW_SLACK, (peak, len(data))
    else:
        assert peak <= 2 * decoded_size(data) + GZIP_SLACK, (peak, decoded_size(data))
    if isinstance(outcome, DataError):
        message = str(outcome)
        assert "\n" not in message and path in message
        return None
    # Accepted: then the header was honest and the array is exactly the body.
    array = outcome
    assert array.dtype == np.uint8
    raw = content if how == "raw" else gzip.decompress(data)
    magic = struct.unpack(">I", raw[:4])[0]
    header = 16 if magic == IMAGES_MAGIC else 8
    assert magic in (IMAGES_MAGIC, LABELS_MAGIC)
    assert array.tobytes() == raw[header:]
    if magic == IMAGES_MAGIC:
        assert array.shape == struct.unpack(">III", raw[4:16])
    else:
        assert array.shape == struct.unpack(">I", raw[4:8])
    return array


HOW = st.sampled_from(["raw", "gz", "gz damaged"])


@SETTINGS
@given(header=headers(), body=st.binary(max_size=3000), how=HOW)
def test_random_headers_and_bodies(folder, header, body, how):
    check(folder, header + body, how)


@SETTINGS
@given(content=mutated(), how=HOW)
def test_mutated_files(folder, content, how):
    check(folder, content, how)


@SETTINGS
@given(data=st.data(), how=st.sampled_from(["raw", "gz"]))
def test_valid_files_are_read_exactly(folder, data, how):
    content = valid_content(data.draw)
    assert check(folder, content, how) is not None


@pytest.mark.parametrize("how", ["raw", "gz"])
def test_huge_claims_cost_nothing(folder, how):
    # 2**96 pixels claimed, 10 bytes present: what hypothesis explores, pinned.
    content = struct.pack(">IIII", IMAGES_MAGIC, 2**32 - 1, 2**32 - 1, 2**32 - 1) + bytes(10)
    assert check(folder, content, how) is None
