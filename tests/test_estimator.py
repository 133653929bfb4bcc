"""tf.estimator and tf.contrib.learn (tf1repro.estimator) through the facade, on small
synthetic data.  Expected names are TF 1.12's (tensorflow/python/estimator/canned/dnn.py,
linear.py; tensorflow/contrib/learn/python/learn/estimators/dnn.py); expected numbers
are NumPy's, computed from the checkpoint's own variables."""

import logging
import os

import numpy as np
import pytest

import tf1repro.tf1 as tf
from tf1repro.errors import UserError
from tf1repro.tfcompat import v1

RNG = np.random.RandomState(0)
X = RNG.rand(60, 3).astype(np.float32)
Y3 = (X[:, 0] * 3).astype(np.int64)              # three classes
YLIN = (X @ np.array([1.0, -2.0, 0.5]) + 0.3).astype(np.float32)
COLUMNS = [tf.feature_column.numeric_column("x", shape=[3])]


def train_fn(y, batch=20):
    return tf.estimator.inputs.numpy_input_fn({"x": X}, y, batch_size=batch, num_epochs=None,
                                              shuffle=True)


def eval_fn(y=None):
    return tf.estimator.inputs.numpy_input_fn({"x": X}, y, batch_size=len(X), num_epochs=1,
                                              shuffle=False)


def linear_model_fn(features, labels, mode, params):
    w = tf.get_variable("w", [3, 1])
    b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
    out = tf.squeeze(tf.matmul(features["x"], w) + b, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": out})
    loss = tf.losses.mean_squared_error(labels, out)
    train_op = tf.train.GradientDescentOptimizer(params["lr"]).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, eval_metric_ops={
        "mae": tf.metrics.mean_absolute_error(labels, out)})


@pytest.fixture
def info_log():
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger = tf.get_logger()
    level = logger.level
    logger.addHandler(handler)
    tf.logging.set_verbosity(tf.logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_train_checkpoints_resumes_evaluates_and_predicts(tmp_path, info_log):
    config = tf.estimator.RunConfig(save_checkpoints_steps=10, log_step_count_steps=10,
                                    tf_random_seed=1)
    est = tf.estimator.Estimator(linear_model_fn, str(tmp_path), config, params={"lr": 0.1})
    est.train(train_fn(YLIN), steps=25)
    files = set(os.listdir(tmp_path))
    # TF 1.x's CheckpointSaverHook: at the first step, every 10, and at the end.
    assert {f"model.ckpt-{n}.index" for n in (0, 10, 20, 25)} <= files
    assert {"checkpoint", "graph.pbtxt"} <= files and any(f.startswith("events.out") for f in files)
    assert "loss = " in "\n".join(info_log) and any(
        m.startswith("loss = ") and m.endswith("step = 1") for m in info_log)
    assert any(m.startswith("global_step/sec: ") for m in info_log)
    assert "Loss for final step: " in "\n".join(info_log)

    est.train(train_fn(YLIN), steps=15)                 # continues from model.ckpt-25
    assert est.get_variable_value("global_step") == 40
    est.train(train_fn(YLIN), max_steps=40)             # already there: skipped
    assert "Skipping training since max_steps has already saved." in info_log
    assert est.get_variable_value("global_step") == 40

    w, b = est.get_variable_value("w")[:, 0], est.get_variable_value("b")
    expected = X @ w + b                                 # NumPy, from the checkpoint
    got = np.array([p["y"] for p in est.predict(eval_fn())])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    metrics = est.evaluate(eval_fn(YLIN))
    assert metrics["global_step"] == 40
    np.testing.assert_allclose(metrics["loss"], np.mean((expected - YLIN) ** 2), rtol=1e-5)
    np.testing.assert_allclose(metrics["mae"], np.mean(np.abs(expected - YLIN)), rtol=1e-5)
    assert os.listdir(tmp_path / "eval")                 # the evaluation's events file
    assert any(m.startswith("Saving dict for global step 40: global_step = 40, loss = ")
               for m in info_log)


def test_hooks_and_tf_data_input(tmp_path):
    def dataset_fn():
        data = tf.data.Dataset.from_tensor_slices(({"x": X}, YLIN))
        return data.repeat().batch(10)
    seen = []

    class Count(tf.train.SessionRunHook):
        def after_run(self, run_context, run_values):
            seen.append(1)

    est = tf.estimator.Estimator(linear_model_fn, str(tmp_path), params={"lr": 0.1})
    est.train(dataset_fn, hooks=[tf.train.StopAtStepHook(num_steps=7), Count()])
    assert est.get_variable_value("global_step") == 7 and len(seen) == 7
    assert est.evaluate(dataset_fn, steps=3)["global_step"] == 7


def test_train_and_evaluate_evaluates_after_each_checkpoint(tmp_path):
    # TF 1.12's run_local: an evaluation after every checkpoint but step 0's (throttle 0).
    config = tf.estimator.RunConfig(save_checkpoints_steps=4)
    est = tf.estimator.Estimator(linear_model_fn, str(tmp_path), config, params={"lr": 0.1})
    evaluated = []

    class Seen(tf.train.SessionRunHook):
        def end(self, session):
            evaluated.append(session.run(tf.train.get_global_step()))

    metrics, exports = tf.estimator.train_and_evaluate(
        est, tf.estimator.TrainSpec(train_fn(YLIN), max_steps=10),
        tf.estimator.EvalSpec(eval_fn(YLIN), steps=None, hooks=[Seen()], throttle_secs=0))
    assert evaluated == [4, 8, 10] and metrics["global_step"] == 10 and exports == []


def dnn_forward(est, x, layers):
    h = x
    for name in layers:
        h = h @ est.get_variable_value(f"dnn/{name}/kernel") + est.get_variable_value(f"dnn/{name}/bias")
        if name != "logits":
            h = np.maximum(h, 0)
    return h


def test_dnn_classifier_names_and_loss_are_tf1s(tmp_path):
    est = tf.estimator.DNNClassifier(hidden_units=[4, 3], feature_columns=COLUMNS, n_classes=3,
                                     model_dir=str(tmp_path))
    est.train(train_fn(Y3), steps=5)
    names = est.get_variable_names()
    layers = ["hiddenlayer_0", "hiddenlayer_1", "logits"]
    expected = {"global_step"} | {f"dnn/{layer}/{v}{slot}" for layer in layers
                                  for v in ("kernel", "bias") for slot in ("", "/Adagrad")}
    assert set(names) == expected
    assert est.get_variable_value("dnn/hiddenlayer_0/kernel").shape == (3, 4)
    assert est.get_variable_value("dnn/logits/kernel").shape == (3, 3)
    logits = dnn_forward(est, X, layers)
    z = logits - logits.max(1, keepdims=True)
    per_example = np.log(np.exp(z).sum(1)) - z[np.arange(len(X)), Y3]
    metrics = est.evaluate(eval_fn(Y3))
    np.testing.assert_allclose(metrics["average_loss"], per_example.mean(), rtol=1e-4)
    np.testing.assert_allclose(metrics["loss"], per_example.sum(), rtol=1e-4)  # Reduction.SUM
    np.testing.assert_allclose(metrics["accuracy"], np.mean(logits.argmax(1) == Y3))
    first = next(est.predict(eval_fn()))
    assert set(first) == {"logits", "probabilities", "class_ids", "classes"}
    assert first["class_ids"].tolist() == [logits[0].argmax()]


def test_a_model_dir_with_tf1s_names_restores(tmp_path):
    # A checkpoint as TF 1.x's DNNClassifier(hidden_units=[2], n_classes=2) left it.
    values = {"dnn/hiddenlayer_0/kernel": RNG.randn(3, 2), "dnn/hiddenlayer_0/bias": RNG.randn(2),
              "dnn/logits/kernel": RNG.randn(2, 1), "dnn/logits/bias": RNG.randn(1)}
    with tf.Graph().as_default():
        made = [tf.Variable(v.astype(np.float32), name=k) for k, v in values.items()]
        # Adagrad's accumulators beside them (initial value 0.1, TF 1.x's default).
        made += [tf.Variable(np.full(v.shape, 0.1, np.float32), name=k + "/Adagrad")
                 for k, v in values.items()]
        made.append(tf.Variable(np.int64(123), name="global_step"))
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            tf.train.Saver(made).save(session, str(tmp_path / "model.ckpt"), global_step=123)
    est = tf.estimator.DNNClassifier([2], COLUMNS, model_dir=str(tmp_path))
    h = np.maximum(X @ values["dnn/hiddenlayer_0/kernel"] + values["dnn/hiddenlayer_0/bias"], 0)
    logistic = 1 / (1 + np.exp(-(h @ values["dnn/logits/kernel"] + values["dnn/logits/bias"])))
    got = np.array([p["logistic"] for p in est.predict(eval_fn())])
    np.testing.assert_allclose(got, logistic, rtol=1e-5)
    est.train(train_fn((X[:, 0] > 0.5).astype(np.int64)), steps=2)
    assert est.get_variable_value("global_step") == 125


def test_linear_regressor_names_and_export(tmp_path):
    est = tf.estimator.LinearRegressor(COLUMNS, model_dir=str(tmp_path / "m"))
    est.train(train_fn(YLIN), steps=5)
    assert set(est.get_variable_names()) == {"global_step"} | {
        f"linear/linear_model/{v}{slot}" for v in ("x/weights", "bias_weights")
        for slot in ("", "/Ftrl", "/Ftrl_1")}
    w = est.get_variable_value("linear/linear_model/x/weights")[:, 0]
    b = est.get_variable_value("linear/linear_model/bias_weights")
    got = np.array([p["predictions"][0] for p in est.predict(eval_fn())])
    np.testing.assert_allclose(got, X @ w + b, rtol=1e-5, atol=1e-6)
    receiver = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 3])})
    path = est.export_savedmodel(str(tmp_path / "export"), receiver)
    with tf.Graph().as_default(), tf.Session() as session:
        meta = tf.saved_model.loader.load(session, ["serve"], path.decode())
        sig = meta.signature_def["serving_default"]
        out = session.run(sig.outputs["predictions"].name, {sig.inputs["x"].name: X[:4]})
    np.testing.assert_allclose(out[:, 0], got[:4], rtol=1e-5)


def test_contrib_learn_as_the_tutorials_used_it(tmp_path):
    columns = tf.contrib.learn.infer_real_valued_columns_from_input(X)
    assert [(c.key, c.shape) for c in columns] == [("", (3,))]
    classifier = tf.contrib.learn.DNNClassifier([5], columns, n_classes=3,
                                                model_dir=str(tmp_path))
    model = tf.contrib.learn.SKCompat(classifier)
    model.fit(X, Y3, steps=4, batch_size=20)
    assert set(classifier.get_variable_names()) == {"global_step"} | {
        f"dnn/{layer}/{v}{slot}" for layer in ("hiddenlayer_0", "logits")
        for v in ("weights", "biases") for slot in ("", "/Adagrad")}
    out = model.predict(X)
    assert set(out) == {"classes", "probabilities", "logits"} and out["classes"].shape == (60,)
    assert list(classifier.predict(X[:3])) == out["classes"][:3].tolist()
    score = model.score(X, Y3)
    np.testing.assert_allclose(score["accuracy"], np.mean(out["classes"] == Y3))


@pytest.mark.parametrize("call, says", [
    (lambda: tf.estimator.inputs.numpy_input_fn({"x": X}, YLIN),
     "shuffle must be provided and explicitly set as boolean"),
    (lambda: tf.estimator.Estimator(linear_model_fn).train(train_fn(YLIN), steps=1, max_steps=2),
     "Can not provide both steps and max_steps."),
    (lambda: tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.TRAIN, loss=v1.constant(1.0)),
     "Missing train_op."),
    (lambda: tf.estimator.DNNClassifier([2], COLUMNS, n_classes=1), "n_classes must be > 1"),
])
def test_bad_input_is_one_line(call, says):
    with tf.Graph().as_default(), pytest.raises(UserError) as error:
        call()
    assert str(error.value).startswith(says) and "\n" not in str(error.value)
    assert isinstance(error.value, ValueError)  # what TF 1.x raised, so old except clauses hold


def test_is_built_with_cuda_answers_as_the_eras_cpu_package():
    # tensorflow/models' 1.4-era official MNIST picks channels_first when this is True;
    # TF 1.x's CPU package said False, TF 2.21's one wheel says True everywhere.
    assert tf.test.is_built_with_cuda() == bool(v1.config.list_physical_devices("GPU"))
    assert tf.test.TestCase is v1.test.TestCase
