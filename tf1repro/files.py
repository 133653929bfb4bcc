"""Writing files so that a crash never leaves half of one: the package's one writer.

    write_atomic(path, text_or_bytes)   # the old file or the whole new one, fsynced
    write_json(path, data)
    with resource_errors("saving epoch 2 to DIR"):   # around TensorFlow's own writers
        saver.save(...)
    check_free_space(folder, needed, "a run of 4 epochs")

Every module that writes (data provisioning, run folders, records, sweeps)
goes through here, and here the machine's failures (no space, a quota, an
I/O error, a read-only or vanished file, no memory) become ``ResourceError``:
one line, exit status 4, whatever wrote.  No TensorFlow and nothing else of
the package but ``errors`` is imported, so any module may use it.
"""

import contextlib
import errno
import json
import os
import sys
import tempfile
import time

from tf1repro.errors import UserError

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


class ResourceError(UserError):
    """The machine failed a read or a write: space, quota, I/O, read-only, a vanished file, memory.

    ``cause`` and ``advice`` are words (``no space left on device``,
    ``free some space``); the message is ``<cause> while <doing>; <advice>``
    unless a caller that knows more (the training loop: what is kept, how to
    resume) gives its own.
    """

    exit_code = 4

    def __init__(self, cause, doing, advice, message=None):
        self.cause, self.doing, self.advice = cause, doing, advice
        super().__init__(message or f"{cause} while {doing}; {advice}")


# errno -> (the cause in words, what to do).  Reads count only the first
# group: a missing or unreadable file at the start is bad input (exit 2).
_MACHINE = {
    errno.ENOSPC: ("no space left on device", "free some space"),
    errno.EDQUOT: ("disk quota exceeded", "free some space within your quota"),
    errno.EFBIG: ("file too large for its file system", "choose a folder on another file system"),
    errno.EIO: ("input/output error (the disk or its file system failed)",
                "check the disk (dmesg) and its free space"),
    errno.EROFS: ("read-only file system", "make it writable again"),
    errno.ESTALE: ("stale file handle (the network file system lost the file)",
                   "check the file system"),
    errno.ENOMEM: ("out of memory", "close other programs or use a smaller --batch-size"),
}
_MOVED = {
    errno.EACCES: ("permission denied", "restore the permissions"),
    errno.EPERM: ("operation not permitted", "restore the permissions"),
    errno.ENOENT: ("a file or folder vanished", "put it back or choose another folder"),
    errno.ENOTDIR: ("a folder was replaced by a file", "put it back or choose another folder"),
}


def describe_os_error(code):
    """(cause, advice) in words for an errno; any errno has some."""
    if code in _MACHINE or code in _MOVED:
        return {**_MACHINE, **_MOVED}[code]
    text = os.strerror(code) if code else "unknown error"
    return text[:1].lower() + text[1:], "check the file system"


def _tf_errno(err):
    """The errno a TensorFlow OpError stands for; None for others and for damaged data.

    TensorBoard's event writer raises a RuntimeError with the same words.
    """
    errors = sys.modules.get("tensorflow.python.framework.errors_impl")  # never imported here
    if errors is None or isinstance(err, errors.DataLossError) \
            or not isinstance(err, (errors.OpError, RuntimeError)):
        return None
    text = str(getattr(err, "message", "") or err)
    # TensorFlow reports file-system failures as ResourceExhausted, Unknown,
    # Internal, ... with the C library's words for the errno in the message.
    for code in (*_MACHINE, *_MOVED):
        if os.strerror(code) in text:
            return code
    if not isinstance(err, errors.OpError):
        return None
    if isinstance(err, errors.ResourceExhaustedError):
        return errno.ENOMEM  # "OOM when allocating tensor ..."
    if isinstance(err, errors.NotFoundError):
        return errno.ENOENT
    if isinstance(err, errors.PermissionDeniedError):
        return errno.EACCES
    return None


def resource_error(err, doing, reading=False):
    """The ResourceError ``err`` (OSError, MemoryError, TensorFlow's OpError) means, or None.

    None when it means something else: damaged data, a bug, or (``reading``)
    a file missing or unreadable, which the reader reports as bad input.
    """
    if isinstance(err, ResourceError):
        return err
    if isinstance(err, MemoryError):
        code = errno.ENOMEM
    elif isinstance(err, OSError):
        code = err.errno
    else:
        code = _tf_errno(err)
    if code is None or (reading and code not in _MACHINE):
        return None
    cause, advice = describe_os_error(code)
    return ResourceError(cause, doing, advice)


@contextlib.contextmanager
def resource_errors(doing, reading=False):
    """Turn the machine's failures inside the block into one ResourceError about ``doing``."""
    try:
        yield
    except Exception as e:  # MemoryError is one
        translated = resource_error(e, doing, reading)
        if translated is None:
            raise
        raise translated from None


def free_bytes(folder):
    """Bytes an unprivileged process may still write in ``folder``'s file system."""
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


def megabytes(n):
    return f"{n / 1e6:.1f} MB"


def check_free_space(folder, needed, what):
    """ResourceError, before anything is written, when ``needed`` bytes will not fit in ``folder``."""
    with resource_errors(f"checking the free space in {folder}"):
        free = free_bytes(folder)
    if free < needed:
        raise ResourceError(
            "no space left on device", f"starting {what}", "free some space",
            message=f"not enough space for {what} in {folder}: it needs about "
                    f"{megabytes(needed)} there, {megabytes(free)} are free; free some space "
                    "or choose another folder")


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
    The machine's failures (see ``ResourceError``) come out as one
    ResourceError naming ``path``, the temporary file removed.
    """
    folder, name = os.path.split(path)
    with resource_errors(f"writing {path}"):
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
