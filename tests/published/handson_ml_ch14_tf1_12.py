"""What a published seeded TF 1.x run printed: ageron/handson-ml,
14_recurrent_neural_networks.ipynb, commit 2d5d735e5fcc62fe3a57fdaee30abad451a62c4b
(https://github.com/ageron/handson-ml/blob/2d5d735e5fcc62fe3a57fdaee30abad451a62c4b/14_recurrent_neural_networks.ipynb).

Its release is 1.12: In [8] prints TF's deprecation warning for BasicRNNCell.__init__
("equivalent as tf.keras.layers.SimpleRNNCell", added in 1.12.0's rnn_cell_impl.py) but
none for tf.nn.static_rnn, which 1.13.0's rnn.py deprecated.  Every cell below starts
with reset_graph(): tf.reset_default_graph(); tf.set_random_seed(42); np.random.seed(42).
Only the numbers the tests compare are kept.  The programs below are this project's own
wording of what the notebook's cells do, call for call (the same TF ops in the same
order, the same NumPy draws), not the notebook's text.
"""

# In [8]-[12]: BasicRNNCell(5) under tf.nn.static_rnn over two [None, 3] placeholders.
STATIC_TWO_STEPS = '''
step0 = tf.placeholder(tf.float32, [None, n_inputs])
step1 = tf.placeholder(tf.float32, [None, n_inputs])
rnn = tf.nn.rnn_cell.BasicRNNCell(num_units=n_neurons)
(Y0, Y1), _ = tf.nn.static_rnn(rnn, [step0, step1], dtype=tf.float32)
'''
X0_BATCH = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 0, 1]]
X1_BATCH = [[9, 8, 7], [0, 0, 0], [6, 5, 4], [3, 2, 1]]
Y0_VAL = [[0.30741334, -0.32884315, -0.6542847, -0.9385059, 0.52089024],
          [0.99122757, -0.9542541, -0.7518079, -0.9995208, 0.9820235],
          [0.9999268, -0.99783254, -0.8247353, -0.9999963, 0.99947774],
          [0.996771, -0.68750614, 0.8419969, 0.9303911, 0.8120684]]
Y1_VAL = [[0.99998885, -0.99976057, -0.0667929, -0.9999803, 0.99982214],
          [-0.6524943, -0.51520866, -0.37968948, -0.5922594, -0.08968379],
          [0.99862397, -0.99715203, -0.03308626, -0.9991566, 0.9932902],
          [0.99681675, -0.9598194, 0.39660627, -0.8307606, 0.79671973]]
# In [14] show_graph: the GraphDef 1.12 built for In [8], as the notebook saved it.  Its
# kernel initializer's RandomUniform has seed 42, seed2 20 (20 ops before it); the op
# names up to it, in order:
STATIC_GRAPH_HEAD = [
    "Placeholder", "Placeholder_1", "rnn/Shape", "rnn/strided_slice/stack",
    "rnn/strided_slice/stack_1", "rnn/strided_slice/stack_2", "rnn/strided_slice",
    "rnn/BasicRNNCellZeroState/ExpandDims/dim", "rnn/BasicRNNCellZeroState/ExpandDims",
    "rnn/BasicRNNCellZeroState/Const", "rnn/BasicRNNCellZeroState/concat/axis",
    "rnn/BasicRNNCellZeroState/concat", "rnn/BasicRNNCellZeroState/zeros/Const",
    "rnn/BasicRNNCellZeroState/zeros", "rnn/BasicRNNCellZeroState/ExpandDims_1/dim",
    "rnn/BasicRNNCellZeroState/ExpandDims_1", "rnn/BasicRNNCellZeroState/Const_1",
    "rnn/basic_rnn_cell/kernel/Initializer/random_uniform/shape",
    "rnn/basic_rnn_cell/kernel/Initializer/random_uniform/min",
    "rnn/basic_rnn_cell/kernel/Initializer/random_uniform/max",
    "rnn/basic_rnn_cell/kernel/Initializer/random_uniform/RandomUniform"]
STATIC_SEED2 = 20

# In [22]-[25]: the same cell under tf.nn.dynamic_rnn over X [None, 2, 3].
DYNAMIC = '''
X = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(num_units=n_neurons), X,
                               dtype=tf.float32)
'''
X_BATCH = [[[0, 1, 2], [9, 8, 7]], [[3, 4, 5], [0, 0, 0]], [[6, 7, 8], [6, 5, 4]],
           [[9, 0, 1], [3, 2, 1]]]
DYNAMIC_OUTPUTS = [
    [[-0.85115266, 0.87358344, 0.5802911, 0.8954789, -0.0557505],
     [-0.999996, 0.99999577, 0.9981815, 1.0, 0.37679607]],
    [[-0.9983293, 0.9992038, 0.98071456, 0.999985, 0.25192663],
     [-0.7081804, -0.0772338, -0.85227895, 0.5845349, -0.78780943]],
    [[-0.9999827, 0.99999535, 0.9992863, 1.0, 0.5159072],
     [-0.9993956, 0.9984095, 0.83422637, 0.99999976, -0.47325212]],
    [[0.87888587, 0.07356028, 0.97216916, 0.9998546, -0.7351168],
     [-0.9134514, 0.3600957, 0.7624866, 0.99817705, 0.80142]]]

# In [47]-[53] and [57]-[62]: a time series learned by a BasicRNNCell(100, relu) under
# dynamic_rnn, its output projected by an OutputProjectionWrapper (In [49]) or by
# tf.layers.dense on the stacked outputs (In [60]); Adam(0.001), batches of 50 from
# next_batch (NumPy's generator, seeded 42 by reset_graph).  The MSE printed after
# iterations 0 and 100 (of 1500).
TIME_SERIES = '''
def curve(t):                       # the notebook's series: t sin(t) / 3 + 2 sin(5t)
    return t * np.sin(t) / 3 + 2 * np.sin(t * 5)

def windows(count, steps, start=0, stop=30, dt=0.1):
    # one uniform draw per window for its first time, then steps + 1 points dt apart
    first = np.random.rand(count, 1) * (stop - start - steps * dt)
    values = curve(first + np.arange(0., steps + 1) * dt)
    return (values[:, :-1].reshape(-1, steps, 1), values[:, 1:].reshape(-1, steps, 1))

n_steps, n_inputs, n_neurons, n_outputs = 20, 1, 100, 1
X = tf.placeholder(tf.float32, [None, n_steps, n_inputs])
y = tf.placeholder(tf.float32, [None, n_steps, n_outputs])
'''
PROJECTION_WRAPPER = '''
relu_rnn = tf.nn.rnn_cell.BasicRNNCell(num_units=n_neurons, activation=tf.nn.relu)
projected = tf.contrib.rnn.OutputProjectionWrapper(relu_rnn, output_size=n_outputs)
outputs, _ = tf.nn.dynamic_rnn(projected, X, dtype=tf.float32)
'''
DENSE = '''
relu_rnn = tf.nn.rnn_cell.BasicRNNCell(num_units=n_neurons, activation=tf.nn.relu)
hidden, _ = tf.nn.dynamic_rnn(relu_rnn, X, dtype=tf.float32)
flat = tf.layers.dense(tf.reshape(hidden, [-1, n_neurons]), n_outputs)
outputs = tf.reshape(flat, [-1, n_steps, n_outputs])
'''
TRAIN = '''
loss = tf.reduce_mean(tf.square(outputs - y))
step = tf.train.AdamOptimizer(learning_rate=0.001).minimize(loss)
printed = []
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(n_iterations):
        xb, yb = windows(50, n_steps)
        sess.run(step, {X: xb, y: yb})
        if i % 100 == 0:
            printed.append(str(loss.eval({X: xb, y: yb})))
'''
PROJECTION_WRAPPER_MSE = ["11.967254", "0.525841"]   # In [53], iterations 0 and 100
DENSE_MSE = ["13.907029", "0.5056698"]               # In [62], iterations 0 and 100
