"""``tensorflow.examples.tutorials.mnist``: ``input_data`` and the tutorial model ``mnist``."""

from tf1repro.tf1.examples.tutorials.mnist import input_data, mnist  # noqa: F401
