"""What a ``model_fn`` receives and returns, and how an Estimator runs: ``ModeKeys``,
``EstimatorSpec``, ``RunConfig`` (TF 1.12's ``tensorflow/python/estimator/model_fn.py``
and ``run_config.py``: the same fields, defaults and checks).

    def model_fn(features, labels, mode, params):
        ...
        return EstimatorSpec(mode, loss=loss, train_op=train_op, eval_metric_ops={...})
"""

import collections

from tf1repro.errors import UserError
from tf1repro.tfcompat import tf, v1


class EstimatorError(UserError, ValueError):
    """Bad input to an Estimator: one line; a ``ValueError`` as TF 1.x raised, so
    programs that caught it still do."""


class ModeKeys:
    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"  # TF 1.x's value: "infer", not "predict"


_SPEC_FIELDS = ("mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
                "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks",
                "prediction_hooks")


class EstimatorSpec(collections.namedtuple("EstimatorSpec", _SPEC_FIELDS)):
    """What ``model_fn`` returns; TF 1.x's checks per mode, in one line each."""

    def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None,
                export_outputs=None, training_chief_hooks=None, training_hooks=None,
                scaffold=None, evaluation_hooks=None, prediction_hooks=None):
        if mode not in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):
            raise EstimatorError(f"EstimatorSpec: mode must be one of tf.estimator.ModeKeys, "
                                 f"got {mode!r}")
        if mode == ModeKeys.TRAIN and train_op is None:
            raise EstimatorError("Missing train_op.")
        if mode != ModeKeys.PREDICT and loss is None:
            raise EstimatorError("Missing loss.")
        if mode == ModeKeys.PREDICT and predictions is None:
            raise EstimatorError("Missing predictions.")
        if loss is not None:
            loss = tf.convert_to_tensor(loss)
            if loss.shape.rank not in (None, 0) and loss.shape.num_elements() != 1:
                raise EstimatorError(f"Loss must be scalar, given: {loss}")
            loss = tf.reshape(loss, []) if loss.shape.rank not in (None, 0) else loss
        if predictions is not None and not isinstance(predictions, dict):
            predictions = tf.convert_to_tensor(predictions)
        metrics = {}
        for key, value in (eval_metric_ops or {}).items():
            if not (isinstance(value, tuple) and len(value) == 2):
                raise EstimatorError(f"eval_metric_ops[{key!r}] must be a (metric_tensor, "
                                     f"update_op) tuple, given: {value!r}")
            metrics[key] = value
        return super().__new__(
            cls, mode, predictions, loss, train_op, metrics, export_outputs,
            tuple(training_chief_hooks or ()), tuple(training_hooks or ()),
            scaffold or v1.train.Scaffold(), tuple(evaluation_hooks or ()),
            tuple(prediction_hooks or ()))


class RunConfig:
    """``tf.estimator.RunConfig``: TF 1.12's arguments and defaults.

    Neither ``save_checkpoints_steps`` nor ``_secs`` given means a checkpoint every
    600 s (and one at the start and the end of every ``train``), as TF 1.x did.
    """

    def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100,
                 save_checkpoints_steps=None, save_checkpoints_secs=None, session_config=None,
                 keep_checkpoint_max=5, keep_checkpoint_every_n_hours=10000,
                 log_step_count_steps=100, train_distribute=None, device_fn=None):
        if save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise EstimatorError("save_checkpoints_steps and save_checkpoints_secs cannot be "
                                 "both set.")
        if save_checkpoints_steps is None and save_checkpoints_secs is None:
            save_checkpoints_secs = 600
        for name, value in (("save_summary_steps", save_summary_steps),
                            ("save_checkpoints_steps", save_checkpoints_steps),
                            ("log_step_count_steps", log_step_count_steps),
                            ("keep_checkpoint_max", keep_checkpoint_max)):
            if value is not None and value < 0:
                raise EstimatorError(f"{name} must be >= 0, given {name}={value!r}")
        if train_distribute is not None or device_fn is not None:
            raise EstimatorError("RunConfig(train_distribute/device_fn) is not supported by "
                                 "tf1repro.estimator (one process, the CPU)")
        self._model_dir = model_dir
        self._tf_random_seed = tf_random_seed
        self._save_summary_steps = save_summary_steps
        self._save_checkpoints_steps = save_checkpoints_steps
        self._save_checkpoints_secs = save_checkpoints_secs
        self._session_config = session_config
        self._keep_checkpoint_max = keep_checkpoint_max
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._log_step_count_steps = log_step_count_steps
        # One process, no cluster: what TF 1.x's RunConfig said without TF_CONFIG.
        self._task_type, self._task_id, self._num_ps_replicas = "worker", 0, 0
        self._is_chief, self._master, self._cluster_spec = True, "", None

    def replace(self, **kwargs):
        """A copy with some fields replaced (TF 1.x's ``RunConfig.replace``)."""
        fields = {name[1:]: value for name, value in vars(self).items()
                  if name[1:] in RunConfig.__init__.__code__.co_varnames}
        fields.update(kwargs)
        if "save_checkpoints_steps" in kwargs and "save_checkpoints_secs" not in kwargs:
            fields["save_checkpoints_secs"] = None
        if "save_checkpoints_secs" in kwargs and "save_checkpoints_steps" not in kwargs:
            fields["save_checkpoints_steps"] = None
        return RunConfig(**fields)

    model_dir = property(lambda self: self._model_dir)
    tf_random_seed = property(lambda self: self._tf_random_seed)
    save_summary_steps = property(lambda self: self._save_summary_steps)
    save_checkpoints_steps = property(lambda self: self._save_checkpoints_steps)
    save_checkpoints_secs = property(lambda self: self._save_checkpoints_secs)
    session_config = property(lambda self: self._session_config)
    keep_checkpoint_max = property(lambda self: self._keep_checkpoint_max)
    keep_checkpoint_every_n_hours = property(lambda self: self._keep_checkpoint_every_n_hours)
    log_step_count_steps = property(lambda self: self._log_step_count_steps)
    task_type = property(lambda self: self._task_type)
    task_id = property(lambda self: self._task_id)
    num_ps_replicas = property(lambda self: self._num_ps_replicas)
    num_worker_replicas = property(lambda self: 1)
    is_chief = property(lambda self: self._is_chief)
    master = property(lambda self: self._master)
    cluster_spec = property(lambda self: self._cluster_spec)
