"""``tf.contrib.learn`` of TF 1.x, as its tutorials used it (``tf1repro.estimator.learn``).

    classifier = tf.contrib.learn.DNNClassifier(hidden_units=[10, 20, 10],
                                                feature_columns=columns, n_classes=3)
    classifier.fit(x=x_train, y=y_train, steps=2000)

``DNNClassifier``, ``SKCompat``, ``infer_real_valued_columns_from_input``,
``RunConfig``, ``Estimator`` (core's), ``ModeKeys``, ``datasets.base.load_csv_with_header``;
any other name raises ``Unsupported``.
"""

import sys
import types

from tf1repro.estimator import Estimator, ModeKeys, RunConfig  # noqa: F401
from tf1repro.estimator.learn import (DNNClassifier, SKCompat,  # noqa: F401
                                      infer_real_valued_columns_from_input, load_csv_with_header)
from tf1repro.tf1._namespace import forbid_missing

datasets = types.ModuleType(__name__ + ".datasets", "contrib.learn's data sets: base's CSV reader")
datasets.base = types.ModuleType(__name__ + ".datasets.base")
datasets.base.load_csv_with_header = load_csv_with_header
sys.modules[datasets.__name__] = datasets
sys.modules[datasets.base.__name__] = datasets.base

__all__ = ["DNNClassifier", "SKCompat", "infer_real_valued_columns_from_input", "RunConfig",
           "Estimator", "ModeKeys", "datasets"]
__getattr__ = forbid_missing("tf.contrib.learn", __all__)
