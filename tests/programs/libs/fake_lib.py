"""Stands for an installed library (outside the program's folder): it keeps the real TensorFlow."""
import tensorflow


def tf_name():
    return tensorflow.__name__
