"""``tensorflow.examples`` of TF 1.x: only ``tutorials.mnist`` (``input_data``, ``mnist``)."""

from tf1repro.tf1.examples import tutorials  # noqa: F401
