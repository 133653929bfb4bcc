"""``tensorflow.examples.tutorials``: only ``mnist`` (``input_data``, ``mnist``)."""

from tf1repro.tf1.examples.tutorials import mnist  # noqa: F401
