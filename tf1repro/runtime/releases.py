"""Which TF 1.x release ``tf1repro.tf1`` reproduces, and what differs between releases.

    release = current()          # from $TF1REPRO_TF1_RELEASE, default "1.15"
    fact("bn_beta_first")        # True for 1.0-1.3: beta created before gamma

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
class Fact:
    """One row of the table: ``name`` has ``value`` in releases ``since``..``until``."""
    name: str
    since: str
    until: str
    value: object
    source: str                # the file read in those releases' wheels


# Each fact's rows, in release order; a release no row covers has not been read for it.
FACTS = (
    Fact("bn_beta_first", "1.2", "1.3", True, "python/layers/normalization.py build"),
    Fact("bn_beta_first", "1.6", "1.15", False, "python/layers/normalization.py build"),
    # 2-D batch norm: shifted moments + _smart_select / 8-op moments + select / two conds each
    Fact("bn_path", "1.2", "1.2", "select_shifted", "python/layers/normalization.py call"),
    Fact("bn_path", "1.3", "1.3", "select", "python/layers/normalization.py call"),
    Fact("bn_path", "1.6", "1.15", "cond", "python/layers/normalization.py call"),
    # fused=: no argument / default False / None (fused for 4-D inputs)
    Fact("bn_fused_default", "1.2", "1.2", "absent", "python/layers/normalization.py"),
    Fact("bn_fused_default", "1.3", "1.3", False, "python/layers/normalization.py"),
    Fact("bn_fused_default", "1.6", "1.15", None, "python/layers/normalization.py"),
    # zeros/ones of a static shape: one Const / shape + Const + Fill / a Const under 1,000 elements
    Fact("zeros", "1.2", "1.3", "const", "python/ops/array_ops.py zeros"),
    Fact("zeros", "1.6", "1.7", "fill", "python/ops/array_ops.py zeros"),
    Fact("zeros", "1.8", "1.15", "const_if_small", "python/ops/array_ops.py _constant_if_small"),
    Fact("dropout", "1.2", "1.8", "keep_prob", "python/ops/nn_ops.py dropout"),
    Fact("dropout", "1.15", "1.15", "rate", "python/ops/nn_ops.py dropout_v2"),
    Fact("in_top_k", "1.2", "1.3", "InTopK", "python/ops/nn_ops.py in_top_k"),
    Fact("in_top_k", "1.6", "1.15", "InTopKV2", "python/ops/nn_ops.py in_top_k"),
    Fact("conv_op", "1.2", "1.3", "convolution", "python/layers/convolutional.py"),
    Fact("conv_op", "1.6", "1.15", "Conv2D", "python/layers/convolutional.py"),
    Fact("has_flatten", "1.2", "1.3", False, "python/layers/core.py"),
    Fact("has_flatten", "1.6", "1.15", True, "python/layers/core.py"),
)

# The releases reproduced, each with the wheel whose sources were read.
WHEELS = {"1.2": "1.2.1", "1.3": "1.3.0", "1.6": "1.6.0", "1.7": "1.7.0", "1.8": "1.8.0",
          "1.15": "1.15.5"}


def _key(name):
    return tuple(int(part) for part in name.split(".")[:2])


@dataclasses.dataclass(frozen=True)
class Release:
    name: str                  # "1.2": what users type
    wheel: str                 # the wheel whose sources were read: "1.2.1"

    def fact(self, name):
        """The value of fact ``name`` in this release (``FACTS``); LookupError if never read."""
        for row in FACTS:
            if row.name == name and _key(row.since) <= _key(self.name) <= _key(row.until):
                return row.value
        raise LookupError(f"fact {name!r} was not read for TF {self.name}")

    def __getattr__(self, name):  # release.zeros: the fact's value
        if name.startswith("_"):
            raise AttributeError(name)
        return self.fact(name)


RELEASES = {name: Release(name, wheel) for name, wheel in WHEELS.items()}


def fact(name, release=None):
    """The value of fact ``name`` in ``release`` (default: the release in force)."""
    return (release or current()).fact(name)


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

# The recurrent cells (runtime/rnn_ops.py).  Source of each row: the wheel's
# python/ops/rnn_cell_impl.py, and for 1.0-1.1 (the cells were contrib's)
# contrib/rnn/python/ops/core_rnn_cell_impl.py; OutputProjectionWrapper's in
# contrib/rnn/python/ops/core_rnn_cell.py.
FACTS += (
    Fact("rnn_variable_names", "1.0", "1.1", ("weights", "biases"),
         "contrib/rnn/python/ops/core_rnn_cell_impl.py _linear"),
    Fact("rnn_variable_names", "1.2", "1.15", ("kernel", "bias"),
         "python/ops/rnn_cell_impl.py _WEIGHTS_VARIABLE_NAME, _BIAS_VARIABLE_NAME"),
    # zero state: stack + zeros / _concat, its static twin, zeros / _concat, zeros, static twin
    Fact("rnn_zero_state", "1.0", "1.1", "stack",
         "python/ops/rnn_cell_impl.py RNNCell.zero_state (1.0), _zero_state_tensors (1.1)"),
    Fact("rnn_zero_state", "1.2", "1.3", "static_first",
         "python/ops/rnn_cell_impl.py _zero_state_tensors"),
    Fact("rnn_zero_state", "1.4", "1.15", "static_last",
         "python/ops/rnn_cell_impl.py _zero_state_tensors"),
    Fact("rnn_zero_state_scope", "1.0", "1.0", False, "python/ops/rnn_cell_impl.py zero_state"),
    Fact("rnn_zero_state_scope", "1.1", "1.15", True,
         "python/ops/rnn_cell_impl.py zero_state: name_scope '<Cell>ZeroState'"),
    # when a cell makes its kernel and bias: _linear at each call / _Linear at the first / build
    Fact("rnn_cell_variables", "1.0", "1.3", "linear", "python/ops/rnn_cell_impl.py _linear"),
    Fact("rnn_cell_variables", "1.4", "1.4", "class", "python/ops/rnn_cell_impl.py _Linear"),
    Fact("rnn_cell_variables", "1.5", "1.15", "build",
         "python/ops/rnn_cell_impl.py build, add_variable"),
    Fact("rnn_projection_variables", "1.0", "1.3", "linear",
         "contrib/rnn/python/ops/core_rnn_cell.py OutputProjectionWrapper.call _linear"),
    Fact("rnn_projection_variables", "1.4", "1.15", "class",
         "contrib/rnn/python/ops/core_rnn_cell.py OutputProjectionWrapper.call _Linear"),
)
# DropoutWrapper's state_keep_prob (1.1+; 1.0's wrapper had none): every part of the state,
# or (1.4+, _default_dropout_state_filter_visitor) all but an LSTM's memory c
FACTS += (
    Fact("rnn_dropout_state_filter", "1.0", "1.3", False,
         "contrib/rnn/python/ops/core_rnn_cell_impl.py (1.1), rnn_cell_impl.py DropoutWrapper"),
    Fact("rnn_dropout_state_filter", "1.4", "1.15", True,
         "python/ops/rnn_cell_impl.py _default_dropout_state_filter_visitor"),
)
# dynamic_rnn (runtime/rnn_dynamic.py), python/ops/rnn.py dynamic_rnn, _dynamic_rnn_loop
FACTS += (
    Fact("rnn_dynamic_loop", "1.0", "1.4", "unbounded",
         "python/ops/rnn.py _dynamic_rnn_loop: while_loop(cond=time < time_steps)"),
    Fact("rnn_dynamic_loop", "1.5", "1.5", "max_iterations",
         "python/ops/rnn.py _dynamic_rnn_loop: maximum_iterations=time_steps"),
    Fact("rnn_dynamic_loop", "1.6", "1.15", "bounded",
         "python/ops/rnn.py _dynamic_rnn_loop: loop_bound = minimum(time_steps, maximum(1, ..))"),
    Fact("rnn_dynamic_batch", "1.0", "1.2", "shape", "python/ops/rnn.py dynamic_rnn"),
    Fact("rnn_dynamic_batch", "1.3", "1.15", "best_effort",
         "python/ops/rnn.py _best_effort_input_batch_size"),
    Fact("rnn_dynamic_transpose", "1.0", "1.1", "perm",
         "python/ops/rnn.py dynamic_rnn: array_ops.transpose(input_, [1, 0, 2])"),
    Fact("rnn_dynamic_transpose", "1.2", "1.4", "outside",
         "python/ops/rnn.py dynamic_rnn: _transpose_batch_time before variable_scope"),
    Fact("rnn_dynamic_transpose", "1.5", "1.15", "inside",
         "python/ops/rnn.py dynamic_rnn: _transpose_batch_time in variable_scope('rnn')"),
)
# tf.contrib.seq2seq (runtime/seq2seq_loss.py), contrib/seq2seq/python/ops/loss.py
FACTS += (
    Fact("seq2seq_loss", "1.0", "1.13", "epsilon",
         "contrib/seq2seq/python/ops/loss.py sequence_loss: total_size += 1e-12"),
    Fact("seq2seq_loss", "1.14", "1.15", "div_no_nan",
         "contrib/seq2seq/python/ops/loss.py sequence_loss: math_ops.div_no_nan"),
    Fact("seq2seq_loss_function_call", "1.0", "1.0", "logits_first",
         "contrib/seq2seq/python/ops/loss.py softmax_loss_function(probs_flat, targets)"),
    Fact("seq2seq_loss_function_call", "1.1", "1.1", "targets_first",
         "contrib/seq2seq/python/ops/loss.py softmax_loss_function(targets, probs_flat)"),
    Fact("seq2seq_loss_function_call", "1.2", "1.15", "keywords",
         "contrib/seq2seq/python/ops/loss.py softmax_loss_function(labels=, logits=)"),
)
# dynamic_decode (runtime/seq2seq_decode.py), contrib/seq2seq/python/ops/decoder.py: absent
# in 1.0 (seq2seq.py's dynamic_rnn_decoder), 1.1's not read; maximum_iterations through
# `finished` / through while_loop(maximum_iterations=), lengths counted while unfinished
FACTS += (
    Fact("seq2seq_dynamic_decode", "1.0", "1.1", None,
         "contrib/seq2seq/python/ops/ (1.0: no decoder.py; 1.1 not read)"),
    Fact("seq2seq_dynamic_decode", "1.2", "1.13", "finished",
         "contrib/seq2seq/python/ops/decoder.py dynamic_decode"),
    Fact("seq2seq_dynamic_decode", "1.14", "1.15", "loop_maximum",
         "contrib/seq2seq/python/ops/decoder.py dynamic_decode"),
)
