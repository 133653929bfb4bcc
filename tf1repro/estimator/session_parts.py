"""The pieces of an Estimator's sessions: the global step's read, the hooks it adds
(a ``tf.data`` iterator's initializer, ``evaluate(steps=N)``'s stop), and how
``predict`` picks and splits its outputs."""

from tf1repro.estimator.spec import EstimatorError
from tf1repro.tfcompat import v1


def global_step_read(graph, global_step):
    """The ``global_step/add`` read TF 1.x's ``train`` made before the input function
    (its ops count under TF 1.x's op-seed rule); the step hooks reuse it from the
    collection TensorFlow's own ``training_util`` keeps it in."""
    with graph.name_scope(global_step.op.name + "/"):
        value = v1.cond(v1.is_variable_initialized(global_step), global_step.read_value,
                        lambda: global_step.initial_value)
        v1.add_to_collection("global_step_read_op_cache", value + 0)


def pick(predictions, keys):
    if keys is None or not isinstance(predictions, dict):
        return predictions
    keys = [keys] if isinstance(keys, str) else list(keys)
    missing = [key for key in keys if key not in predictions]
    if missing:
        raise EstimatorError(f"Expected to run at least one output from {sorted(predictions)}, "
                             f"provided {missing}.")
    return {key: predictions[key] for key in keys}


def batch_length(batch):
    lengths = {len(value) for value in batch.values()}
    if len(lengths) != 1:
        raise EstimatorError(f"Batch length of predictions should be same. {sorted(lengths)}")
    return lengths.pop()


class IteratorInitHook(v1.train.SessionRunHook):
    """Initializes a ``tf.data`` input function's iterator once the session exists."""

    def __init__(self, iterator):
        self._initializer = iterator.initializer

    def after_create_session(self, session, coord):
        session.run(self._initializer)


class StopAfterRuns(v1.train.SessionRunHook):
    """``evaluate(steps=N)``: stop after N batches."""

    def __init__(self, steps):
        self._steps, self._done = steps, 0

    def after_run(self, run_context, run_values):
        self._done += 1
        if self._done >= self._steps:
            run_context.request_stop()
