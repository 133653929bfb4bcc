"""Which TF 1.x release ``tf1repro.tf1`` reproduces, and what differs between releases.

    release = current()          # from $TF1REPRO_TF1_RELEASE, default "1.15"
    fact("bn_beta_first")        # True for 1.0-1.3: beta created before gamma

"TF 1.x" was sixteen releases, 1.0 to 1.15, and a seeded program sees their differences:
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
# TF 1.0-1.3's tf.layers.batch_normalization did; 1.2 (mid-2017, the notebook's era) stands
# for them, as it has since the package's first release.
SEED = "1.2"


@dataclasses.dataclass(frozen=True)
class Fact:
    """One row of the table: ``name`` has ``value`` in releases ``since``..``until``."""
    name: str
    since: str
    until: str
    value: object
    source: str                # the file read in those releases' wheels


# Each fact's rows, in release order, grouped by fact; the source is the file read in each
# wheel of the range (python/... is tensorflow/python/..., tensorflow_core/ in 1.15.5).
# A release no row covers has not been read for that fact: asking raises LookupError.
_ = Fact
FACTS = (
    # -- the op-seed rule (graph seed g, op seed from graph._last_id when not given) --------
    # seeds (0, 0) passed on as they are (the kernels then draw nondeterministically) /
    # made (0, 2**31 - 1)
    _("seed_zero_pair", "1.0", "1.0", False, "python/framework/random_seed.py get_seed"),
    _("seed_zero_pair", "1.1", "1.15", True, "python/framework/random_seed.py get_seed"),
    # -- tf.layers.batch_normalization ------------------------------------------------------
    _("bn_beta_first", "1.0", "1.3", True, "python/layers/normalization.py build"),
    _("bn_beta_first", "1.4", "1.15", False, "python/layers/normalization.py build"),
    # The plain path with a tensor `training`: "cond_output": updates always run with
    # `momentum`, a cond around two normalisations, parameters reshaped to broadcast (under
    # Python 3, where 1.0's `list != range` always held); "select": _smart_select of the
    # moments and of the decay, updates always run; "cond": a cond per moment and update.
    _("bn_path", "1.0", "1.1", "cond_output", "python/layers/normalization.py call"),
    _("bn_path", "1.2", "1.4", "select", "python/layers/normalization.py call"),
    _("bn_path", "1.5", "1.8", "cond", "python/layers/normalization.py call"),
    _("bn_path", "1.9", "1.15", "cond", "python/keras/layers/normalization.py call"),
    # nn.moments: sufficient_statistics + normalize_moments (23 ops on [None, C]) / shifted
    # in place (14) / mean, variance (8)
    _("moments", "1.0", "1.1", "sufficient", "python/ops/nn_impl.py moments"),
    _("moments", "1.2", "1.2", "shifted", "python/ops/nn_impl.py moments"),
    _("moments", "1.3", "1.15", "mean_variance", "python/ops/nn_impl.py moments"),
    # fused=: no such argument / default False / None (fused for 4-D inputs)
    _("bn_fused_default", "1.0", "1.2", "absent", "python/layers/normalization.py"),
    _("bn_fused_default", "1.3", "1.3", False, "python/layers/normalization.py"),
    _("bn_fused_default", "1.4", "1.8", None, "python/layers/normalization.py"),
    _("bn_fused_default", "1.9", "1.15", None, "python/keras/layers/normalization.py"),
    # The fused path's moving averages: decay momentum|1 by _smart_select, moving_averages'
    # update / 1 - momentum|0 by _smart_select, the layer's update reading the variable
    # (read, Sub, Mul) / the same by cond / momentum|1 by cond, decay, sub, mul.
    _("bn_fused_decay", "1.0", "1.2", None, "python/layers/normalization.py (no fused path)"),
    _("bn_fused_decay", "1.3", "1.3", "select_momentum", "python/layers/normalization.py"),
    _("bn_fused_decay", "1.4", "1.4", "select_one_minus", "python/layers/normalization.py"),
    _("bn_fused_decay", "1.5", "1.7", "cond_one_minus", "python/layers/normalization.py"),
    _("bn_fused_decay", "1.8", "1.8", "cond_momentum", "python/layers/normalization.py"),
    _("bn_fused_decay", "1.9", "1.15", "cond_momentum", "python/keras/layers/normalization.py"),
    # nn.fused_batch_norm's op (V3 behind forward_compatible(2019, 6, 6); 1.14: 2019, 11, 10)
    _("bn_fused_op", "1.0", "1.14", "FusedBatchNorm", "python/ops/nn_impl.py fused_batch_norm"),
    _("bn_fused_op", "1.15", "1.15", "FusedBatchNormV3", "python/ops/nn_impl.py fused_batch_norm"),
    # What UPDATE_OPS receives: the update tensors / their Operations (Keras' add_update)
    _("bn_updates", "1.0", "1.8", "tensor", "python/layers/base.py add_update"),
    _("bn_updates", "1.9", "1.15", "operation", "python/keras/engine/base_layer.py add_update"),
    # -- tf.contrib.layers ------------------------------------------------------------------
    # batch_norm's fused=: default False, True means contrib's fused kernel for any
    # collections / default False, True fuses as 1.4 does / default None, meaning True
    _("contrib_bn_fused", "1.0", "1.2", "flag", "contrib/layers/python/layers/layers.py"),
    _("contrib_bn_fused", "1.3", "1.3", False, "contrib/layers/python/layers/layers.py"),
    _("contrib_bn_fused", "1.4", "1.15", None, "contrib/layers/python/layers/layers.py"),
    # flatten: reshape to [-1, k] / Shape, Slice, Prod, concat, Reshape / core flatten
    _("contrib_flatten", "1.0", "1.0", "reshape_k", "contrib/layers/python/layers/layers.py"),
    _("contrib_flatten", "1.1", "1.3", "own", "contrib/layers/python/layers/layers.py"),
    _("contrib_flatten", "1.4", "1.15", "core", "contrib/layers/python/layers/layers.py"),
    _("contrib_dropout_seed", "1.0", "1.4", False, "contrib/layers/python/layers/layers.py"),
    _("contrib_dropout_seed", "1.5", "1.15", True, "contrib/layers/python/layers/layers.py"),
    # variance_scaling_initializer's truncated normal: stddev sqrt(1.3 * factor / n)
    _("contrib_vs_factor", "1.0", "1.15", 1.3, "contrib/layers/python/layers/initializers.py"),
    # -- initializers, zeros, ones ------------------------------------------------------------
    # core variance_scaling "normal" (and glorot_normal): truncated normal with stddev
    # sqrt(scale / n) / the same divided by .87962566103423978 ("truncated_normal")
    _("vs_normal", "1.0", "1.9", "sqrt", "python/ops/init_ops.py VarianceScaling"),
    _("vs_normal", "1.10", "1.15", "corrected", "python/ops/init_ops.py VarianceScaling"),
    # zeros/ones of a static shape: one Const / shape + Const + Fill / a Const under 1,000
    # elements, else the Fill
    _("zeros", "1.0", "1.5", "const", "python/ops/array_ops.py zeros"),
    _("zeros", "1.6", "1.7", "fill", "python/ops/array_ops.py zeros"),
    _("zeros", "1.8", "1.15", "const_if_small", "python/ops/array_ops.py _constant_if_small"),
    # zeros_initializer/ones_initializer: constant_op.constant (an op "Const") / array_ops
    _("zeros_initializer", "1.0", "1.1", "Const", "python/ops/init_ops.py Zeros, Ones"),
    _("zeros_initializer", "1.2", "1.15", "zeros", "python/ops/init_ops.py Zeros, Ones"),
    # -- dropout ------------------------------------------------------------------------------
    # tf.nn.dropout: keep_prob, Floor (12 ops) / rate, keep_prob = 1 - rate, Floor (14 ops) /
    # rate, GreaterEqual, Cast (16 ops)
    _("dropout", "1.0", "1.12", "keep_prob", "python/ops/nn_ops.py dropout"),
    _("dropout", "1.13", "1.13", "rate_floor", "python/ops/nn_ops.py dropout_v2"),
    _("dropout", "1.14", "1.15", "rate", "python/ops/nn_ops.py dropout_v2"),
    # a noise_shape with unknown dimensions: taken as given / completed from x
    _("dropout_noise_shape", "1.0", "1.6", "given", "python/ops/nn_ops.py dropout"),
    _("dropout_noise_shape", "1.7", "1.15", "completed", "python/ops/nn_ops.py _get_noise_shape"),
    _("dropout_float_only", "1.0", "1.3", False, "python/ops/nn_ops.py dropout"),
    _("dropout_float_only", "1.4", "1.15", True, "python/ops/nn_ops.py dropout"),
    # tf.layers.dropout calls nn.dropout with keep_prob = 1 - rate / with rate=
    _("layers_dropout", "1.0", "1.8", "keep_prob", "python/layers/core.py Dropout.call"),
    _("layers_dropout", "1.9", "1.13", "keep_prob", "python/keras/layers/core.py Dropout.call"),
    _("layers_dropout", "1.14", "1.15", "rate", "python/keras/layers/core.py Dropout.call"),
    # -- other layers and ops ----------------------------------------------------------------------------
    # tf.layers.dense on inputs of rank > 2: reshape to 2-D and back / tensordot
    _("dense_rank3", "1.0", "1.0", "reshape", "python/layers/core.py Dense.call"),
    _("dense_rank3", "1.1", "1.8", "tensordot", "python/layers/core.py Dense.call"),
    _("dense_rank3", "1.9", "1.15", "tensordot", "python/keras/layers/core.py Dense.call"),
    _("in_top_k", "1.0", "1.3", "InTopK", "python/ops/gen_nn_ops.py in_top_k"),
    _("in_top_k", "1.4", "1.15", "InTopKV2", "python/ops/nn_ops.py in_top_k"),
    _("conv_op", "1.0", "1.3", "convolution", "python/layers/convolutional.py _Conv.call"),
    _("conv_op", "1.4", "1.8", "Conv2D", "python/layers/convolutional.py, ops/nn_ops.py"),
    _("conv_op", "1.9", "1.15", "Conv2D", "python/keras/layers/convolutional.py, ops/nn_ops.py"),
    # tf.layers.flatten: absent / reshape(x, (shape(x)[0], -1)), 8 ops / a known batch size
    # used as it is, 2 ops
    _("flatten", "1.0", "1.3", None, "python/layers/core.py"),
    _("flatten", "1.4", "1.8", "dynamic_batch", "python/layers/core.py Flatten.call"),
    _("flatten", "1.9", "1.12", "dynamic_batch", "python/keras/layers/core.py Flatten.call"),
    _("flatten", "1.13", "1.15", "static_batch", "python/keras/layers/core.py Flatten.call"),
)
del _

# The releases reproduced, each with the wheel whose sources were read.
WHEELS = {"1.0": "1.0.1", "1.1": "1.1.0", "1.2": "1.2.1", "1.3": "1.3.0", "1.4": "1.4.1",
          "1.5": "1.5.1", "1.6": "1.6.0", "1.7": "1.7.0", "1.8": "1.8.0", "1.9": "1.9.0",
          "1.10": "1.10.1", "1.11": "1.11.0", "1.12": "1.12.3", "1.13": "1.13.2",
          "1.14": "1.14.0", "1.15": "1.15.5"}


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
    # "shape": a Shape per input, batch = shape[0][1], then `input_[1]` again per input (a
    # strided_slice each, only to compare static shapes); "best_effort": the static size
    Fact("rnn_dynamic_batch", "1.0", "1.2", "shape",
         "python/ops/rnn.py dynamic_rnn: for input_ in input_shape: input_[1].get_shape()"),
    Fact("rnn_dynamic_batch", "1.3", "1.15", "best_effort",
         "python/ops/rnn.py _best_effort_input_batch_size"),
    # a shape with a batch prefix (the zero output, the outputs' static shape):
    # _state_size_with_prefix, plain Python (stack() builds the tensor) / _concat, which
    # builds its Consts even for the static shape given to set_shape
    Fact("rnn_shape_prefix", "1.0", "1.1", "prefix",
         "python/ops/rnn.py _dynamic_rnn_loop: _state_size_with_prefix"),
    Fact("rnn_shape_prefix", "1.2", "1.15", "concat",
         "python/ops/rnn.py _dynamic_rnn_loop: _concat(..., static=True)"),
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
# What the pip wheel's Eigen computed (runtime/eigen_math.py, for --tf1-arithmetic on), read in
# the Eigen headers each wheel ships under tensorflow/include and in its kernels' machine code:
# the float32 lanes of its vectors (SSE2 until 1.4.1, AVX without FMA from 1.5.1; RELEASE.md
# 1.6.0 announced AVX), which set the order of InnerMostDimReducer's sums (TensorReduction.h,
# predux in SSE/AVX PacketMath.h) and which values a vectorised kernel computed in packets;
# and the formula of the float32 Sigmoid kernel.
FACTS += (
    Fact("eigen_sum_lanes", "1.0", "1.4", 4,
         "_pywrap_tensorflow_internal.so, the float Sigmoid kernel disassembled: SSE2 only"),
    Fact("eigen_sum_lanes", "1.5", "1.15", 8,
         "_pywrap_tensorflow_internal.so (1.5.1 on): 256-bit AVX, no FMA; RELEASE.md 1.6.0"),
    Fact("eigen_sigmoid", "1.0", "1.12", "pexp",
         "include/unsupported/Eigen/CXX11/src/Tensor/TensorFunctors.h scalar_sigmoid_op: "
         "1 / (1 + exp(-x)), packets through pexp (arch/SSE|AVX/MathFunctions.h)"),
    Fact("eigen_sigmoid", "1.13", "1.13", "rational",
         "include/Eigen/src/Core/functors/UnaryFunctors.h scalar_logistic_op<float>: packets "
         "9/10-degree rational; operator() 1 / (1 + exp(-x))"),
    Fact("eigen_sigmoid", "1.14", "1.15", "rational_clamped",
         "include/Eigen/src/Core/functors/UnaryFunctors.h scalar_logistic_op<float>: packets "
         "rational; operator() 0 below -18, 1 above 18, else 1 / (1 + exp(-x))"),
)
# tensorflow.examples.tutorials.mnist.input_data (tf1repro/tf1/examples/tutorials/mnist/),
# whose read_data_sets and DataSet were contrib/learn/python/learn/datasets/mnist.py's in
# every wheel.  next_batch: "epoch_end", no shuffle= argument, a shuffle only once an epoch
# is over, the next epoch starting afresh at 0 (the rest of the old one never returned) /
# "first_and_rest", shuffle=True, a shuffle before the first batch too, the rest carried
# into the next batch.  DataSet(seed=) and read_data_sets(seed=): absent, NumPy's global
# generator drawn as the program left it / numpy.random.seed from random_seed.get_seed(seed).
FACTS += (
    Fact("mnist_next_batch", "1.0", "1.0", "epoch_end",
         "contrib/learn/python/learn/datasets/mnist.py DataSet.next_batch: "
         "if self._index_in_epoch > self._num_examples: ... start = 0"),
    Fact("mnist_next_batch", "1.1", "1.15", "first_and_rest",
         "contrib/learn/python/learn/datasets/mnist.py DataSet.next_batch: "
         "if self._epochs_completed == 0 and start == 0 and shuffle"),
    Fact("mnist_seed", "1.0", "1.1", False,
         "contrib/learn/python/learn/datasets/mnist.py DataSet.__init__ (no seed argument)"),
    Fact("mnist_seed", "1.2", "1.15", True,
         "contrib/learn/python/learn/datasets/mnist.py DataSet.__init__: "
         "numpy.random.seed(seed1 if seed is None else seed2)"),
)
# tf.contrib.seq2seq's attention (runtime/seq2seq_attention.py), every row read in the
# wheels' contrib/seq2seq/python/ops/attention_wrapper.py (1.2.1 ... 1.15.5): 1.0 had
# attention_decoder_fn.py, 1.1 dynamic_attention_wrapper.py's DynamicAttentionWrapper (another
# API, not reproduced).  The wrapper: one mechanism, no check of the state's type / a list
# of mechanisms too, the attentions concatenated, the state's type checked / plus the state's
# attention_state, a mechanism returning (alignments, next_state), clone() checking shapes.
_ = Fact
_SOURCE = "contrib/seq2seq/python/ops/attention_wrapper.py"
FACTS += (
    _("seq2seq_attention", "1.0", "1.1", None,
      "contrib/seq2seq/python/ops/ (1.0: attention_decoder_fn.py; "
      "1.1: dynamic_attention_wrapper.py)"),
    _("seq2seq_attention", "1.2", "1.2", "single", f"{_SOURCE} AttentionWrapper"),
    _("seq2seq_attention", "1.3", "1.5", "multi",
      f"{_SOURCE} AttentionWrapper, _compute_attention"),
    _("seq2seq_attention", "1.6", "1.15", "attention_state",
      f"{_SOURCE} AttentionWrapperState, _BaseAttentionMechanism.initial_state"),
    # the arguments that came after 1.2's (passing one earlier is the TypeError Python gave)
    _("seq2seq_attention_arguments", "1.2", "1.4", (), _SOURCE),
    _("seq2seq_attention_arguments", "1.5", "1.10", ("mechanism.dtype",),
      f"{_SOURCE} LuongAttention, BahdanauAttention (dtype=)"),
    _("seq2seq_attention_arguments", "1.11", "1.13",
      ("mechanism.dtype", "wrapper.attention_layer"),
      f"{_SOURCE} AttentionWrapper (attention_layer=)"),
    _("seq2seq_attention_arguments", "1.14", "1.14",
      ("mechanism.dtype", "wrapper.attention_layer", "wrapper.attention_fn",
       "mechanism.custom_key_value_fn"),
      f"{_SOURCE} AttentionWrapper (attention_fn=), _BaseAttentionMechanism"),
    _("seq2seq_attention_arguments", "1.15", "1.15",
      ("mechanism.dtype", "wrapper.attention_layer", "wrapper.attention_fn",
       "mechanism.custom_key_value_fn", "wrapper.dtype"), f"{_SOURCE} AttentionWrapper (dtype=)"),
    # _prepare_memory: an assert_equal of memory_sequence_length's and the memory's batch
    # sizes, and `ones(rank - 2)` even without lengths / no check, nothing without lengths
    _("seq2seq_attention_memory_check", "1.2", "1.13", True, f"{_SOURCE} _prepare_memory"),
    _("seq2seq_attention_memory_check", "1.14", "1.15", False, f"{_SOURCE} _prepare_memory"),
    # the score's variables after its first ops (expand_dims; Luong: matmul, squeeze too) /
    # before them, in the mechanism's __call__
    _("seq2seq_attention_variables_first", "1.2", "1.13", False,
      f"{_SOURCE} _bahdanau_score, _luong_score (1.2: the __call__s)"),
    _("seq2seq_attention_variables_first", "1.14", "1.15", True,
      f"{_SOURCE} BahdanauAttention.__call__, LuongAttention.__call__"),
    # attention_g's initializer: the value itself / an initializer with shape=()
    _("seq2seq_luong_g", "1.2", "1.7", "value", f"{_SOURCE} initializer=1."),
    _("seq2seq_luong_g", "1.8", "1.15", "initializer",
      f"{_SOURCE} initializer=init_ops.ones_initializer, shape=()"),
    _("seq2seq_bahdanau_g", "1.2", "1.8", "value",
      f"{_SOURCE} initializer=math.sqrt((1. / num_units))"),
    _("seq2seq_bahdanau_g", "1.9", "1.15", "initializer",
      f"{_SOURCE} initializer=init_ops.constant_initializer(math.sqrt((1. / num_units)))"),
    # alignment_history: TensorArray(size=0, dynamic_size=True), state_size () / with
    # element_shape=alignments.shape, state_size alignments_size; zero_state's order
    _("seq2seq_alignment_history_shape", "1.2", "1.6", False, f"{_SOURCE} zero_state"),
    _("seq2seq_alignment_history_shape", "1.7", "1.15", True, f"{_SOURCE} zero_state"),
)
# 1.0-1.1 had no attention_wrapper.py: every other attention fact is absent there
FACTS += tuple(
    _("seq2seq_" + name, "1.0", "1.1", None,
      "contrib/seq2seq/python/ops/ (no attention_wrapper.py)")
    for name in ("attention_arguments", "attention_memory_check", "attention_variables_first",
                 "luong_g", "bahdanau_g", "alignment_history_shape"))
del _, _SOURCE
