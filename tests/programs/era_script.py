"""A TF 1.x-era script, written as in 2017 (tests/test_run.py runs it unchanged)."""
from __future__ import print_function

import argparse
import sys

import numpy as np
import tensorflow as tf
from tensorflow.contrib.layers import fully_connected

import era_helpers
import fake_lib  # a library from outside the program's folder (tests/programs/libs)

parser = argparse.ArgumentParser()
parser.add_argument("--units", type=int, default=4, help="hidden units")
parser.add_argument("--steps", type=int, default=3, help="training steps")
parser.add_argument("--exit-code", type=int, default=0, help="exit with this status")
parser.add_argument("--fail", action="store_true", help="raise at the end")
parser.add_argument("--ask-missing", type=int, default=0, help="ask for tf.contrib.slim N times")
FLAGS = parser.parse_args()

print("tf:", tf.__name__)
print("helper's tf:", era_helpers.tf_name())
print("library's tf:", fake_lib.tf_name())
print("tf.keras Dense:", tf.keras.layers.Dense.__module__)
print("tf.keras.datasets:", tf.keras.datasets.mnist.load_data.__module__)
print("np.int is int:", np.int is int, "np.infty:", np.infty)

tf.set_random_seed(0)
x = tf.placeholder(tf.float32, shape=(None, 3), name="x")
h = fully_connected(x, FLAGS.units, scope="fc")
loss = tf.reduce_mean(tf.square(h))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    batch = np.ones((2, 3), dtype=np.float)
    for step in range(FLAGS.steps):
        _, l = sess.run([train_op, loss], feed_dict={x: batch})
    print("steps:", FLAGS.steps, "loss finite:", bool(np.isfinite(np.asscalar(np.array(l)))))
print("units:", era_helpers.units(h))

for _ in range(FLAGS.ask_missing):
    try:
        tf.contrib.slim
    except NotImplementedError:
        pass

if FLAGS.fail:
    raise ValueError("failed on purpose")
sys.exit(FLAGS.exit_code)
