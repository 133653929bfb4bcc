"""The canned estimators' heads: from logits to predictions, loss, metrics and the
training op, as TF 1.12's ``tensorflow/python/estimator/canned/head.py`` made them.

    spec = head_for(n_classes).spec(features, mode, logits, labels, optimizer)

- two classes: one logit, sigmoid cross-entropy; predictions ``logits``, ``logistic``,
  ``probabilities``, ``class_ids``, ``classes``; metrics ``accuracy``,
  ``accuracy_baseline``, ``auc``, ``auc_precision_recall``, ``average_loss``,
  ``label/mean``, ``precision``, ``prediction/mean``, ``recall``;
- more classes: ``n_classes`` logits, softmax cross-entropy; metrics ``accuracy``,
  ``average_loss``;
- regression: ``label_dimension`` outputs, squared error; predictions ``predictions``;
  metrics ``average_loss``, ``prediction/mean``, ``label/mean``.

The training loss is the *sum* over the batch (TF 1.x's ``Reduction.SUM``, so the
logged ``loss`` grows with the batch size); ``average_loss`` is the mean.
"""

from tf1repro.estimator.spec import EstimatorError, EstimatorSpec, ModeKeys
from tf1repro.tfcompat import tf, v1


class _Head:
    logits_dimension = 1

    def spec(self, features, mode, logits, labels, optimizer):
        with tf.name_scope("head"):
            with tf.name_scope("predictions"):
                predictions = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode, predictions=predictions)
            labels = self._labels(labels)
            unreduced = self._unreduced_loss(labels, logits)  # [batch, 1]
            loss = v1.losses.compute_weighted_loss(unreduced, reduction=v1.losses.Reduction.SUM)
            if mode == ModeKeys.EVAL:
                with tf.name_scope("metrics"):
                    metrics = self._metrics(labels, predictions, unreduced)
                return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                     eval_metric_ops=metrics)
            train_op = optimizer.minimize(loss, global_step=v1.train.get_global_step())
        with tf.name_scope(""):
            v1.summary.scalar("loss", loss)
            v1.summary.scalar("average_loss", tf.reduce_mean(unreduced))
        return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)

    def _labels(self, labels):
        if labels is None:
            raise EstimatorError("You must provide a labels Tensor. Given: None. Suggested "
                                 "troubleshooting steps: Check that your data contain your label "
                                 "feature. Check that your input_fn properly parses and returns "
                                 "labels.")
        if isinstance(labels, dict):
            raise EstimatorError(f"labels must be a Tensor for a canned estimator, got a dict "
                                 f"with keys {sorted(labels)}")
        labels = tf.convert_to_tensor(labels)
        if labels.shape.rank == 1:
            labels = tf.expand_dims(labels, -1)  # [batch, 1], as the logits
        return labels


class _ClassifierHead(_Head):
    def _labels(self, labels):
        labels = super()._labels(labels)
        if not labels.dtype.is_integer:
            raise EstimatorError(f"Labels dtype should be integer. Instead got {labels.dtype}.")
        return labels


class BinaryHead(_ClassifierHead):
    n_classes = 2

    def _predictions(self, logits):
        logistic = tf.sigmoid(logits, name="logistic")
        two = tf.concat([tf.zeros_like(logits), logits], axis=-1, name="two_class_logits")
        class_ids = tf.argmax(two, axis=-1, name="class_ids")
        class_ids = tf.expand_dims(class_ids, axis=-1)
        return {"logits": logits, "logistic": logistic,
                "probabilities": tf.nn.softmax(two, name="probabilities"),
                "class_ids": class_ids, "classes": tf.strings.as_string(class_ids,
                                                                       name="str_classes")}

    def _unreduced_loss(self, labels, logits):
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(labels, tf.float32),
                                                       logits=logits, name="loss")

    def _metrics(self, labels, predictions, unreduced):
        mean = v1.metrics.mean
        labels_f = tf.cast(labels, tf.float32)
        logistic = predictions["logistic"]
        label_mean = mean(labels_f, name="label/mean")
        return {
            "accuracy": v1.metrics.accuracy(labels, predictions["class_ids"], name="accuracy"),
            "precision": v1.metrics.precision(labels, predictions["class_ids"], name="precision"),
            "recall": v1.metrics.recall(labels, predictions["class_ids"], name="recall"),
            "prediction/mean": mean(logistic, name="prediction/mean"),
            "label/mean": label_mean,
            # max(p, 1 - p) of the label mean: always guessing the commoner class
            "accuracy_baseline": (tf.maximum(label_mean[0], 1.0 - label_mean[0]),
                                  tf.maximum(label_mean[1], 1.0 - label_mean[1])),
            "auc": v1.metrics.auc(labels_f, logistic, curve="ROC", name="auc"),
            "auc_precision_recall": v1.metrics.auc(labels_f, logistic, curve="PR",
                                                   name="auc_precision_recall"),
            "average_loss": mean(unreduced, name="average_loss"),
        }


class MultiClassHead(_ClassifierHead):
    def __init__(self, n_classes):
        self.n_classes = self.logits_dimension = n_classes

    def _predictions(self, logits):
        class_ids = tf.expand_dims(tf.argmax(logits, axis=-1, name="class_ids"), axis=-1)
        return {"logits": logits, "probabilities": tf.nn.softmax(logits, name="probabilities"),
                "class_ids": class_ids,
                "classes": tf.strings.as_string(class_ids, name="str_classes")}

    def _unreduced_loss(self, labels, logits):
        check = v1.assert_less(labels, tf.cast(self.n_classes, labels.dtype),
                               message="Label IDs must < n_classes")
        with tf.control_dependencies([check, v1.assert_non_negative(
                labels, message="Label IDs must >= 0")]):
            labels = tf.identity(labels)
        loss = v1.losses.sparse_softmax_cross_entropy(tf.squeeze(labels, -1), logits,
                                                      reduction=v1.losses.Reduction.NONE)
        return tf.expand_dims(loss, -1)

    def _metrics(self, labels, predictions, unreduced):
        return {"accuracy": v1.metrics.accuracy(labels, predictions["class_ids"],
                                                name="accuracy"),
                "average_loss": v1.metrics.mean(unreduced, name="average_loss")}


class RegressionHead(_Head):
    def __init__(self, label_dimension=1):
        self.logits_dimension = label_dimension

    def _predictions(self, logits):
        return {"predictions": logits}

    def _labels(self, labels):
        return tf.cast(super()._labels(labels), tf.float32)

    def _unreduced_loss(self, labels, logits):
        return v1.losses.mean_squared_error(labels, logits, reduction=v1.losses.Reduction.NONE)

    def _metrics(self, labels, predictions, unreduced):
        mean = v1.metrics.mean
        return {"average_loss": mean(unreduced, name="average_loss"),
                "prediction/mean": mean(predictions["predictions"], name="prediction/mean"),
                "label/mean": mean(labels, name="label/mean")}


def classifier_head(n_classes):
    if not isinstance(n_classes, int) or n_classes < 2:
        raise EstimatorError(f"n_classes must be > 1: {n_classes}")
    return BinaryHead() if n_classes == 2 else MultiClassHead(n_classes)
