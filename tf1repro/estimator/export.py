"""``tf.estimator.export``: what a served model receives, and the SavedModel
``Estimator.export_savedmodel`` writes (``<export_dir_base>/<timestamp>/``, tag
``serve``, the signatures of the spec's ``export_outputs`` (``PredictOutput``,
``ClassificationOutput``, ``RegressionOutput``), by default one ``serving_default``
predict signature of all its predictions).

    image = tf.placeholder(tf.float32, [None, 28, 28])
    fn = build_raw_serving_input_receiver_fn({"image": image})
    estimator.export_savedmodel("/tmp/export", fn)
"""

import collections
import os
import time

from tf1repro.errors import UserError
from tf1repro.tfcompat import tf, v1


class ServingInputReceiver(collections.namedtuple(
        "ServingInputReceiver", ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """The features a served model's ``model_fn`` gets, and the tensors a request feeds."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise UserError("features must be defined.")
        if not isinstance(features, dict):
            features = {"feature": features}
        if not isinstance(receiver_tensors, dict):
            receiver_tensors = {"input": receiver_tensors}
        return super().__new__(cls, features, receiver_tensors, receiver_tensors_alternatives)


def build_raw_serving_input_receiver_fn(features, default_batch_size=None):
    """A receiver whose request feeds a placeholder shaped like each feature."""
    def serving_input_receiver_fn():
        receivers = {}
        for name, tensor in features.items():
            shape = [default_batch_size] + tensor.shape.as_list()[1:]
            receivers[name] = v1.placeholder(tensor.dtype, shape, name=name)
        return ServingInputReceiver(receivers, receivers)
    return serving_input_receiver_fn


def build_parsing_serving_input_receiver_fn(feature_spec, default_batch_size=None):
    """A receiver fed serialized ``tf.Example`` protos, parsed by ``feature_spec``."""
    def serving_input_receiver_fn():
        serialized = v1.placeholder(tf.string, [default_batch_size], name="input_example_tensor")
        features = v1.parse_example(serialized, feature_spec)
        return ServingInputReceiver(features, {"examples": serialized})
    return serving_input_receiver_fn


class PredictOutput:
    """A ``predict`` signature over a dict of output tensors."""

    def __init__(self, outputs):
        if not isinstance(outputs, dict):
            outputs = {"output": outputs}
        self.outputs = outputs

    def as_signature_def(self, receiver_tensors):
        return v1.saved_model.predict_signature_def(receiver_tensors, self.outputs)


def _examples(receiver_tensors):
    tensors = list(receiver_tensors.values())
    if len(tensors) != 1 or tensors[0].dtype != tf.string:
        raise UserError("Classification and regression signatures need exactly one string "
                        f"input tensor (serialized tf.Example protos), got {receiver_tensors}")
    return tensors[0]


class ClassificationOutput:
    """A ``classify`` signature: ``scores`` and/or string ``classes``."""

    def __init__(self, scores=None, classes=None):
        if scores is None and classes is None:
            raise UserError("At least one of scores and classes must be set.")
        self.scores, self.classes = scores, classes

    def as_signature_def(self, receiver_tensors):
        return v1.saved_model.classification_signature_def(
            _examples(receiver_tensors), self.classes, self.scores)


class RegressionOutput:
    """A ``regress`` signature over one float tensor."""

    def __init__(self, value):
        self.value = value

    def as_signature_def(self, receiver_tensors):
        return v1.saved_model.regression_signature_def(_examples(receiver_tensors), self.value)


def _signatures(spec, receiver_tensors):
    # TF 1.x: no export_outputs means one predict signature of all the predictions;
    # a single one becomes the default; several must name the default themselves.
    outputs = dict(spec.export_outputs or {})
    if not outputs:
        predictions = spec.predictions
        outputs = {"serving_default": PredictOutput(predictions)}
    elif len(outputs) == 1:
        outputs = {"serving_default": next(iter(outputs.values()))}
    elif "serving_default" not in outputs:
        raise UserError(f"Multiple export_outputs were provided, but none of them is "
                        f"specified as the default (serving_default): {sorted(outputs)}")
    return {key: output.as_signature_def(receiver_tensors) for key, output in outputs.items()}


def write_saved_model(export_dir_base, receiver, spec, checkpoint_path, as_text,
                      strip_default_attrs):
    """Restores ``checkpoint_path`` into the current graph and writes it as a SavedModel."""
    signatures = _signatures(spec, receiver.receiver_tensors)
    export_dir = os.path.join(os.fsdecode(export_dir_base), str(int(time.time())))
    while os.path.exists(export_dir):  # one export a second, as TF 1.x's timestamps allowed
        time.sleep(1)
        export_dir = os.path.join(os.fsdecode(export_dir_base), str(int(time.time())))
    with v1.Session() as session:
        v1.train.Saver(sharded=True).restore(session, checkpoint_path)
        builder = v1.saved_model.Builder(export_dir)
        builder.add_meta_graph_and_variables(
            session, [v1.saved_model.tag_constants.SERVING],
            signature_def_map=signatures,
            main_op=v1.tables_initializer(), strip_default_attrs=strip_default_attrs)
        builder.save(as_text)
    return export_dir.encode()
