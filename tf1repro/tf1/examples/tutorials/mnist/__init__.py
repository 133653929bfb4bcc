"""``tensorflow.examples.tutorials.mnist``: ``input_data``."""

from tf1repro.tf1.examples.tutorials.mnist import input_data  # noqa: F401
