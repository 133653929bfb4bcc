"""Writing files so that a crash never leaves half of one: the package's one writer.

    write_atomic(path, text_or_bytes)   # the old file or the whole new one, fsynced
    write_json(path, data)

Every module that writes (data provisioning, run folders, records, sweeps)
goes through here.  No TensorFlow and nothing else of the package is
imported, so any module may use it.
"""

import json
import os
import sys
import tempfile
import time

# Test-only: seconds to pause at each phase of a save, announcing each on
# stderr, so that a test can SIGKILL the process inside a save.  Never set
# it for real work.
TEST_SAVE_DELAY = "TF1REPRO_TEST_SAVE_DELAY"


def test_point(what, sleep=True):
    """Test-only hook: with $TF1REPRO_TEST_SAVE_DELAY set, say ``what`` on stderr and pause."""
    delay = os.environ.get(TEST_SAVE_DELAY)
    if not delay:
        return
    sys.stderr.write(f"tf1repro-test: {what}\n")
    sys.stderr.flush()
    if sleep:
        time.sleep(float(delay))


def fsync_dir(folder):
    """Make renames in ``folder`` durable; not every platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_files(paths):
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path, text, durable=True, pause=None):
    """Write ``text`` (str or bytes) so that ``path`` is always either the old file or the whole new one.

    ``durable``: fsync the file before the rename and the folder after it,
    so that a power cut cannot leave the new name pointing at lost data.
    ``pause`` (test-only) names the moment between writing and renaming.
    """
    folder, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if isinstance(text, bytes) else "w") as f:
            f.write(text)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; these are ordinary files
        if pause:
            test_point(pause)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(folder)


def write_json(path, data, **kwargs):
    write_atomic(path, json.dumps(data, indent=2) + "\n", **kwargs)
