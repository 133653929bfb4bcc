"""What a published seeded TF 1.x run printed: hunkim/DeepLearningZeroToAll,
lab-04-1-multi_variable_linear_regression.py (2017; run with TF 1.2 and NumPy 1.13, as the
course's other 2017 scripts), its output kept in a trailing docstring.

Three weights and a bias drawn by ``tf.random_normal([1])`` under ``tf.set_random_seed(777)``,
five examples, a mean squared error and 2001 steps of gradient descent at 1e-5.  Every sum in
it has five terms: the cost's mean and, in the gradient, each weight's sum over the examples.
TF 1.2's SSE2 build added five float32 values as ``x4 + ((x0 + x2) + (x1 + x3))``, TF 2.21
adds them one after the other; the two first differ in a printed digit at step 2000
(``4.89449`` recorded, ``4.89452`` in TF 2.21's order).

The program below is this project's own wording of that script, op for op (the same TF ops in
the same order), not the script's text.  ``n_steps`` and ``printed`` are the test's.
"""

PROGRAM = '''
import tensorflow as tf
tf.set_random_seed(777)
columns = ([73., 93., 89., 96., 73.], [80., 88., 91., 98., 66.], [75., 93., 90., 100., 70.])
targets = [152., 185., 180., 196., 142.]
x1, x2, x3 = (tf.placeholder(tf.float32) for _ in range(3))
Y = tf.placeholder(tf.float32)
w1 = tf.Variable(tf.random_normal([1]), name="weight1")
w2 = tf.Variable(tf.random_normal([1]), name="weight2")
w3 = tf.Variable(tf.random_normal([1]), name="weight3")
b = tf.Variable(tf.random_normal([1]), name="bias")
hypothesis = x1 * w1 + x2 * w2 + x3 * w3 + b
cost = tf.reduce_mean(tf.square(hypothesis - Y))
train = tf.train.GradientDescentOptimizer(learning_rate=1e-5).minimize(cost)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
feed = {x1: columns[0], x2: columns[1], x3: columns[2], Y: targets}
for step in range(n_steps):
    sess.run(train, feed_dict=feed)
    if step % 10 == 0:
        printed[step] = sess.run([cost, hypothesis], feed_dict=feed)
'''

# step: (the cost as NumPy 1.13 printed a float32 scalar, the predictions as '%.8f')
RECORDED = {
    0: ("19614.8", ["21.69748688", "39.10213089", "31.82624626", "35.14236832", "32.55316544"]),
    10: ("14.0682", ["145.56100464", "187.94958496", "178.50236511", "194.86721802",
                     "146.08096313"]),
    1990: ("4.9197", ["148.15084839", "186.88632202", "179.6293335", "195.81796265",
                      "144.46044922"]),
    2000: ("4.89449", ["148.15931702", "186.8805542", "179.63194275", "195.81971741",
                       "144.45298767"]),
}
