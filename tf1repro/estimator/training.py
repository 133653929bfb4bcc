"""``tf.estimator.train_and_evaluate`` on one machine, as TF 1.12 ran it locally
(``tensorflow/python/estimator/training.py``, ``run_local``): train up to
``TrainSpec.max_steps``; after every checkpoint but the first, evaluate if
``EvalSpec.throttle_secs`` have passed since the last evaluation; evaluate the
last checkpoint at the end if it was skipped.

    train_and_evaluate(estimator, TrainSpec(train_input_fn, max_steps=1000),
                       EvalSpec(eval_input_fn, steps=None, throttle_secs=60))
"""

import collections
import time

from tf1repro.estimator.spec import EstimatorError
from tf1repro.tfcompat import v1


class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks"])):
    def __new__(cls, input_fn, max_steps=None, hooks=None):
        if not callable(input_fn):
            raise EstimatorError(f"`input_fn` must be callable, given: {input_fn}")
        if max_steps is not None and max_steps <= 0:
            raise EstimatorError(f"Must specify max_steps > 0, given: {max_steps}")
        return super().__new__(cls, input_fn, max_steps, tuple(hooks or ()))


class EvalSpec(collections.namedtuple("EvalSpec", ["input_fn", "steps", "name", "hooks",
                                                   "exporters", "start_delay_secs",
                                                   "throttle_secs"])):
    def __new__(cls, input_fn, steps=100, name=None, hooks=None, exporters=None,
                start_delay_secs=120, throttle_secs=600):
        if not callable(input_fn):
            raise EstimatorError(f"`input_fn` must be callable, given: {input_fn}")
        if steps is not None and steps <= 0:
            raise EstimatorError(f"Must specify steps > 0, given: {steps}")
        if throttle_secs < 0:
            raise EstimatorError(f"Must specify throttle_secs >= 0, given: {throttle_secs}")
        if exporters:
            raise EstimatorError("EvalSpec(exporters=...) is not supported by tf1repro.estimator; "
                                 "call export_savedmodel after train_and_evaluate")
        return super().__new__(cls, input_fn, steps, name, tuple(hooks or ()), (),
                               start_delay_secs, throttle_secs)


class _EvaluateAfterSaves(v1.train.CheckpointSaverListener):
    def __init__(self, estimator, eval_spec):
        self._estimator, self._spec = estimator, eval_spec
        self.result, self._last_step, self._last_time, self._first = None, None, None, True

    def _evaluate(self, step):
        self._last_step, self._last_time = step, time.time()
        self.result = self._estimator.evaluate(self._spec.input_fn, steps=self._spec.steps,
                                               hooks=self._spec.hooks, name=self._spec.name)

    def after_save(self, session, global_step_value):
        if self._first:  # the checkpoint of step 0: nothing trained yet
            self._first = False
            return
        if self._last_time is None or time.time() - self._last_time >= self._spec.throttle_secs:
            self._evaluate(global_step_value)
        else:
            v1.logging.info(f"Skip the current checkpoint eval due to throttle secs "
                            f"({self._spec.throttle_secs} secs).")

    def end(self, session, global_step_value):
        if global_step_value != self._last_step:
            self._evaluate(global_step_value)


def train_and_evaluate(estimator, train_spec, eval_spec):
    """Returns ``(the last evaluation's metrics, [])`` as TF 1.12 did (no exporters)."""
    config = estimator.config
    v1.logging.info(
        "Start train and evaluate loop. The evaluate will happen after every checkpoint. "
        "Checkpoint frequency is determined based on RunConfig arguments: "
        f"save_checkpoints_steps {config.save_checkpoints_steps} or "
        f"save_checkpoints_secs {config.save_checkpoints_secs}.")
    listener = _EvaluateAfterSaves(estimator, eval_spec)
    estimator.train(train_spec.input_fn, hooks=train_spec.hooks, max_steps=train_spec.max_steps,
                    saving_listeners=[listener])
    return listener.result, []
