"""Processes of this machine, for tests that must find (or miss) the ones they started."""

import os


def processes_mentioning(text):
    """Pids whose command line contains ``text``."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def processes_holding(path):
    """Pids that have ``path`` open (a run folder's ``train.lock``: the training writing there)."""
    path = os.path.realpath(path)
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                    found.append(int(pid))
                    break
            except OSError:
                pass
    return found


def alive(pid):
    """Whether process ``pid`` still runs (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"
