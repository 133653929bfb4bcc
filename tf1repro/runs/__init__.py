"""Runs of the notebook: the training loop, run folders that survive crashes, checkpoints as data.

``start`` holds the one entry point that starts or resumes a run and returns its record.
May import ``cells``, ``data``, ``runtime``, ``files``; never ``explore``, ``bench`` or ``cli``.
"""
