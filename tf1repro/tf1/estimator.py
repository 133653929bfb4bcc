"""``tf.estimator`` of TF 1.x (removed from TensorFlow 2.16+), rebuilt in ``tf1repro.estimator``.

    import tf1repro.tf1 as tf
    classifier = tf.estimator.DNNClassifier(hidden_units=[10, 10], feature_columns=columns)
    classifier.train(tf.estimator.inputs.numpy_input_fn({"x": x}, y, shuffle=True), steps=100)

``Estimator``, ``EstimatorSpec``, ``ModeKeys``, ``RunConfig``, ``inputs``, ``export``,
the canned ``DNNClassifier``, ``DNNRegressor``, ``LinearClassifier``,
``LinearRegressor``, ``TrainSpec``, ``EvalSpec``, ``train_and_evaluate`` (one machine)
and ``tf.train``'s hooks; any other name raises ``Unsupported``.
"""

import sys

from tf1repro.estimator import (CheckpointSaverHook, CheckpointSaverListener,  # noqa: F401
                                DNNClassifier, DNNRegressor, Estimator, EstimatorSpec,
                                FinalOpsHook, LinearClassifier, LinearRegressor,
                                LoggingTensorHook, ModeKeys, NanTensorHook, RunConfig,
                                SessionRunHook, StepCounterHook, StopAtStepHook,
                                SummarySaverHook, EvalSpec, TrainSpec, export, inputs,
                                train_and_evaluate)
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["Estimator", "EstimatorSpec", "ModeKeys", "RunConfig", "inputs", "export",
           "DNNClassifier", "DNNRegressor", "LinearClassifier", "LinearRegressor",
           "CheckpointSaverHook", "CheckpointSaverListener", "FinalOpsHook", "LoggingTensorHook",
           "NanTensorHook", "SessionRunHook", "StepCounterHook", "StopAtStepHook",
           "SummarySaverHook", "TrainSpec", "EvalSpec", "train_and_evaluate"]
__getattr__ = forbid_missing("tf.estimator", __all__)
# `from tensorflow.estimator.inputs import numpy_input_fn` names them as modules.
sys.modules[__name__ + ".inputs"] = inputs
sys.modules[__name__ + ".export"] = export
