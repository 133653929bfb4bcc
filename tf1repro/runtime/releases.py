"""Which TF 1.x release ``tf1repro.tf1`` reproduces, and what differs between releases.

    release = current()          # from $TF1REPRO_TF1_RELEASE, default "1.15"
    release.bn_beta_first        # True for 1.2 and 1.3: beta created before gamma

"TF 1.x" was fifteen releases, and a seeded program sees their differences:
under TF 1.x's op-seed rule (``seeds``) the number of ops each call creates
decides the seeds of every random op after it.  Each row below was read from
that release's own wheel (``docs/releases.md`` names the file for each fact);
a release not in the table is refused in one line, never guessed.
"""

import contextlib
import dataclasses
import os
import threading

from tf1repro.errors import UserError

ENV = "TF1REPRO_TF1_RELEASE"
DEFAULT = "1.15"
# The release the seed notebook ran on: its In [22] lists beta before gamma, which only
# TF 1.0-1.3's tf.layers.batch_normalization did; 1.2 is the one of those reproduced.
SEED = "1.2"


@dataclasses.dataclass(frozen=True)
class Release:
    name: str                  # "1.2": what users type
    wheel: str                 # the wheel whose sources were read: "1.2.1"
    bn_beta_first: bool        # tf.layers.batch_normalization: beta, then gamma (1.0-1.3)
    bn_path: str               # 2-D batch norm: "select_shifted" (1.2), "select" (1.3), "cond" (1.5+)
    bn_fused_default: object   # fused=None meant fused for 4-D (1.4+); 1.3: False; 1.2: no fused
    zeros: str                 # zeros/ones of a static shape: "const", "fill", "const_if_small"
    dropout: str               # nn.dropout's ops: "keep_prob" (1.0-1.12), "rate" (1.14-1.15)
    in_top_k: str              # "InTopK" (1.0-1.3) or "InTopKV2" (1.4+)
    conv_op: str               # tf.layers.conv2d's op: "convolution" (1.0-1.3) or "Conv2D" (1.4+)
    has_flatten: bool          # tf.layers.flatten appeared in 1.4


RELEASES = {r.name: r for r in (
    Release("1.2", "1.2.1", True, "select_shifted", "absent", "const", "keep_prob", "InTopK",
            "convolution", False),
    Release("1.3", "1.3.0", True, "select", False, "const", "keep_prob", "InTopK",
            "convolution", False),
    Release("1.6", "1.6.0", False, "cond", None, "fill", "keep_prob", "InTopKV2", "Conv2D", True),
    Release("1.7", "1.7.0", False, "cond", None, "fill", "keep_prob", "InTopKV2", "Conv2D", True),
    Release("1.8", "1.8.0", False, "cond", None, "const_if_small", "keep_prob", "InTopKV2",
            "Conv2D", True),
    Release("1.15", "1.15.5", False, "cond", None, "const_if_small", "rate", "InTopKV2",
            "Conv2D", True),
)}


def check(name):
    """The ``Release`` called ``name`` ("1.2", "1.2.1" or "r1.2"); UserError for any other."""
    text = str(name).strip().lower().removeprefix("r").removeprefix("v")
    for release in RELEASES.values():
        if text in (release.name, release.wheel):
            return release
    raise UserError(f"TF 1.x release {name!r} is not reproduced: tf1repro.tf1 reproduces "
                    f"{', '.join(RELEASES)} (each read from its own sources; docs/releases.md)")


_chosen = threading.local()


def current():
    """The release in force: ``using``'s, else ``$TF1REPRO_TF1_RELEASE``'s (default 1.15)."""
    chosen = getattr(_chosen, "release", None)
    return chosen or check(os.environ.get(ENV, "").strip() or DEFAULT)


@contextlib.contextmanager
def using(name):
    """Build as release ``name`` inside the block, on this thread (the package's own graphs)."""
    before = getattr(_chosen, "release", None)
    _chosen.release = check(name)
    try:
        yield _chosen.release
    finally:
        _chosen.release = before


def header(release=None):
    """The one line a run prints about the release it reproduces."""
    release = release or current()
    return (f"# TF 1.x release: {release.name} (its op-seed rule and graphs; "
            f"{ENV} or --tf1-release to choose)")


def version(release=None):
    """``(major, minor)`` of ``release`` (default: the current one), for "1.7 and later" tests."""
    release = release or current()
    return tuple(int(part) for part in release.wheel.split(".")[:2])
