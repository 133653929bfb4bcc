"""The TensorFlow release a program was pinned to, read from the files that travel with it.

    pin = find("course/lab5.ipynb", nb)  # Pin("1.8.0", "==", "requirements.txt", "tensorflow==1.8.0")
    release, why = choose(pin)            # ("1.8", "tensorflow==1.8.0 in requirements.txt")

Looked for, in order: the notebook's metadata (``tf1repro.tf1_release``, or a
kernel named after a release, "tensorflow-1.8"), then ``requirements*.txt``,
``setup.py``, ``environment.yml``/``.yaml`` and ``Pipfile`` in the program's
folder and up to three folders above it (a repository keeps them at its
root), stopping at a repository's root.  A pin is a hint, not proof: the
release that printed a run is often another (docs/releases.md), which
``which-release`` measures.
"""

import dataclasses
import glob
import os
import re

from tf1repro.runtime import releases

FILES = ("requirements*.txt", "setup.py", "environment.yml", "environment.yaml", "Pipfile")
_UP = 3
# tensorflow, tensorflow-gpu/-cpu, then what separates the name from the version in each
# file kind: ==1.8.0 (pip), =1.8 (conda), = "==1.8" and = {version = "==1.8"} (Pipfile).
_PIN = re.compile(r"""(?<![\w.-])tensorflow(?:[-_](?:gpu|cpu))?(?![\w-])"""
                  r"""(?P<sep>(?:\s*=\s*\{\s*version)?[\s"'=<>~!:]*)"""
                  r"""(?P<version>\d+\.\d+(?:\.\d+)?)""", re.IGNORECASE)
_KERNEL = re.compile(r"(?:tensorflow|tf)[-_ ]?(?P<version>1\.\d+(?:\.\d+)?)", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Pin:
    version: str      # "1.8.0"
    op: str           # "==", ">=", "~=", "<", ... ("==" for conda's "=" and metadata)
    where: str        # the file (relative to the program's folder) or "the notebook's metadata"
    text: str         # the pin as written


def _op(sep):
    # The last run of operator characters is the pin's ("= {version = \"==": "==").
    ops = re.findall(r"[=<>~!]+", sep.replace("{", " ").replace('"', " ").replace("'", " "))
    op = ops[-1] if ops else "=="
    return "==" if op in ("=", "==", "===") else op


def in_text(text, where):
    """The first TF 1.x pin in ``text`` (a requirements file, setup.py, ...), else None."""
    for m in _PIN.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[line_start:m.start()].lstrip().startswith("#"):
            continue  # commented out
        if m.group("version").split(".")[0] == "1":
            return Pin(m.group("version"), _op(m.group("sep")), where, m.group(0).strip())
    return None


def in_metadata(nb):
    if nb is None:
        return None
    meta = nb.metadata.get("tf1repro", {}).get("tf1_release")
    if meta:
        return Pin(str(meta), "==", "the notebook's metadata", f"tf1repro.tf1_release: {meta}")
    spec = nb.metadata.get("kernelspec", {})
    for key in ("name", "display_name"):
        m = _KERNEL.search(str(spec.get(key, "")))
        if m:
            return Pin(m.group("version"), "==", "the notebook's kernel", f"kernel {spec[key]!r}")
    return None


def _folders(path):
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(_UP + 1):
        yield folder
        parent = os.path.dirname(folder)
        if os.path.isdir(os.path.join(folder, ".git")) or parent == folder:
            return
        folder = parent


def find(path, nb=None):
    """The pin nearest the program (``nb``: its notebook, read), else None."""
    pin = in_metadata(nb)
    if pin is not None:
        return pin
    base = os.path.dirname(os.path.abspath(path))
    for folder in _folders(path):
        for pattern in FILES:
            for name in sorted(glob.glob(os.path.join(folder, pattern))):
                try:
                    with open(name, encoding="utf-8", errors="replace") as f:
                        pin = in_text(f.read(), os.path.relpath(name, base))
                except OSError:
                    continue
                if pin is not None:
                    return pin
    return None


def _minor(name):
    return int(name.split(".")[1])


def nearest(version):
    """The reproduced release nearest TF ``version`` ("1.4.1"): exact, else the closest (lower on ties)."""
    minor = int(version.split(".")[1])
    return min(releases.RELEASES, key=lambda name: (abs(_minor(name) - minor), _minor(name)))


def choose(pin):
    """(release, why) for ``run --tf1-release auto``: the pin's release, else the default."""
    if pin is None:
        return releases.DEFAULT, (f"no TensorFlow pin found next to the program ({', '.join(FILES)}, "
                                  "the notebook's metadata); the default")
    release = nearest(pin.version)
    why = f"{pin.text} in {pin.where}"
    if pin.op not in ("==", "~="):
        why += f" (a bound, '{pin.op}', not a release: taken as {pin.version})"
    if _minor(release) != int(pin.version.split(".")[1]):
        why += f"; {'.'.join(pin.version.split('.')[:2])} is not reproduced, {release} is the nearest that is"
    return release, why


def neighbours(release, span=1):
    """``release`` and the ``span`` reproduced releases either side of it, in release order."""
    names = sorted(releases.RELEASES, key=_minor)
    i = names.index(release)
    return names[max(0, i - span):i + span + 1]
