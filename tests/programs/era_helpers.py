"""A helper module beside era_script.py, imported by it: the import rule applies here too."""
import tensorflow as tf


def tf_name():
    return tf.__name__


def units(tensor):
    return tensor.get_shape()[1].value  # TF 1.x's Dimension
