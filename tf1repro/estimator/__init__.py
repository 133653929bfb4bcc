"""TF 1.x's ``tf.estimator``, rebuilt on ``tf.compat.v1`` (TensorFlow 2.16+ removed it).

    from tf1repro.estimator import Estimator, EstimatorSpec, ModeKeys, RunConfig, inputs
    from tf1repro.estimator import DNNClassifier, LinearClassifier, LinearRegressor
    from tf1repro.estimator import TrainSpec, EvalSpec, train_and_evaluate

May import ``tfcompat``, ``runtime``, ``errors``, ``files``; ``tf1/`` exposes it as
``tf.estimator`` (and ``tf.contrib.learn`` in ``learn``).  Details: docs/estimators.md.
"""

from tf1repro.estimator import export, inputs  # noqa: F401
from tf1repro.estimator.canned import (DNNClassifier, DNNRegressor, LinearClassifier,  # noqa: F401
                                       LinearRegressor)
from tf1repro.estimator.estimator import Estimator  # noqa: F401
from tf1repro.estimator.spec import EstimatorError, EstimatorSpec, ModeKeys, RunConfig  # noqa: F401
from tf1repro.estimator.training import EvalSpec, TrainSpec, train_and_evaluate  # noqa: F401
from tf1repro.tfcompat import v1

# tf.estimator's hooks in TF 1.14+ are tf.train's, the same classes.
CheckpointSaverHook = v1.train.CheckpointSaverHook
CheckpointSaverListener = v1.train.CheckpointSaverListener
FinalOpsHook = v1.train.FinalOpsHook
LoggingTensorHook = v1.train.LoggingTensorHook
NanTensorHook = v1.train.NanTensorHook
SessionRunHook = v1.train.SessionRunHook
StepCounterHook = v1.train.StepCounterHook
StopAtStepHook = v1.train.StopAtStepHook
SummarySaverHook = v1.train.SummarySaverHook
