"""tf1repro: a TF 1.x batch-normalization MNIST notebook, run faithfully on current TensorFlow.

Modules: ``config`` (the notebook's numbers), ``data`` (MNIST as
``read_data_sets`` gave it), ``provision`` (getting the files), ``layers``
(``tf.layers`` rebuilt), ``graph`` (the notebook's cells), ``train`` (the
session loop), ``cli``.
"""

__version__ = "0.1.0"
