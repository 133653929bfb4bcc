"""tf1repro: a TF 1.x batch-normalization MNIST notebook, run faithfully on current TensorFlow.

Modules: ``config`` (the notebook's numbers), ``data`` (MNIST as
``read_data_sets`` gave it), ``provision`` (getting the files), ``layers``
(``tf.layers`` and contrib's initializers rebuilt), ``contrib_layers``
(``tf.contrib.layers``' layers and ``arg_scope``), ``graph`` (the notebook's
cells), ``train`` (the session loop), ``checkpointing`` (runs that survive
crashes), ``inspect_checkpoint`` (reading checkpoints as data), ``files``
(the one atomic writer), ``records`` (run records, statistics, compare),
``drawing`` (pictures), ``sweeps`` (seed sweeps and the ablation),
``on_ray`` (their trainings as Ray tasks), ``progress``, ``argtypes`` (flag
types), ``explore`` (their commands), ``cli``; and ``tf1repro.tf1``, which
runs TF 1.x code whose imports name it instead of ``tensorflow``.
"""

__version__ = "0.1.0"
