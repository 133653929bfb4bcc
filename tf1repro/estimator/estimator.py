"""``tf.estimator.Estimator`` of TF 1.x, on ``tf.compat.v1``'s own training machinery.

    est = Estimator(model_fn, model_dir="/tmp/m", config=RunConfig(save_checkpoints_steps=100))
    est.train(input_fn, steps=1000)          # resumes from model_dir's latest model.ckpt-N
    est.evaluate(eval_input_fn)              # {'loss': ..., 'global_step': ...}
    for prediction in est.predict(predict_input_fn): ...

Each call builds a fresh graph: ``tf.set_random_seed(config.tf_random_seed)``, the
global step, the input function's tensors, then ``model_fn``, as TF 1.12's
``tensorflow/python/estimator/estimator.py`` did.  Training runs in a
``MonitoredTrainingSession`` with the hooks TF 1.x added (``NanTensorHook``, the
``loss = ..., step = ...`` ``LoggingTensorHook``, ``CheckpointSaverHook``, summaries
and ``global_step/sec``), so a model_dir holds what TF 1.x wrote: ``model.ckpt-N``,
``checkpoint``, ``graph.pbtxt``, events files, ``eval/`` after ``evaluate``.
"""

import inspect
import os
import tempfile
import time

import numpy as np

from tf1repro.estimator import export as export_lib
from tf1repro.estimator.session_parts import (IteratorInitHook, StopAfterRuns, batch_length,
                                              global_step_read, pick)
from tf1repro.estimator.spec import EstimatorError, EstimatorSpec, ModeKeys, RunConfig
from tf1repro.tfcompat import tf, v1

logging = v1.logging
_MODEL_FN_ARGS = {"features", "labels", "mode", "params", "config"}


class Estimator:
    def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
        if config is None:
            logging.info("Using default config.")
            config = RunConfig()
        elif not isinstance(config, RunConfig):
            raise EstimatorError(f"config must be an instance of RunConfig, but provided {config}.")
        if model_dir and config.model_dir and model_dir != config.model_dir:
            raise EstimatorError(
                "model_dir are set both in constructor and RunConfig, but with different values. "
                f"In constructor: '{model_dir}', in RunConfig: '{config.model_dir}'")
        model_dir = model_dir or config.model_dir
        if model_dir is None:
            model_dir = tempfile.mkdtemp()
            logging.warning("Using temporary folder as model directory: %s", model_dir)
        if warm_start_from is not None:
            raise EstimatorError("Estimator(warm_start_from=...) is not supported by "
                                 "tf1repro.estimator")
        self._config = config.replace(model_dir=model_dir)
        logging.info("Using config: %s", str(vars(self._config)))
        args = set(inspect.signature(model_fn).parameters)
        if "features" not in args:
            raise EstimatorError(f"model_fn ({model_fn}) must include features argument.")
        if args - _MODEL_FN_ARGS - {"self"}:
            raise EstimatorError(f"model_fn ({model_fn}) has following not expected args: "
                                 f"{sorted(args - _MODEL_FN_ARGS - {'self'})}")
        if params is not None and "params" not in args:
            raise EstimatorError(f"model_fn ({model_fn}) does not include params argument, but "
                                 f"params ({params}) is passed to Estimator.")
        self._model_fn, self._model_fn_args = model_fn, args
        self._params = dict(params or {})

    model_dir = property(lambda self: self._config.model_dir)
    config = property(lambda self: self._config)
    params = property(lambda self: dict(self._params))
    model_fn = property(lambda self: self._model_fn)

    def latest_checkpoint(self):
        return v1.train.latest_checkpoint(self.model_dir)

    def get_variable_names(self):
        return [name for name, _ in tf.train.list_variables(self._checkpoint_or_fail())]

    def get_variable_value(self, name):
        return tf.train.load_variable(self._checkpoint_or_fail(), name)

    def _checkpoint_or_fail(self):
        path = self.latest_checkpoint()
        if path is None:
            raise EstimatorError(f"Could not find trained model in model_dir: {self.model_dir}.")
        return path

    # -- one graph per call -------------------------------------------------------------
    def _call_input_fn(self, input_fn, mode):
        args = inspect.signature(input_fn).parameters
        kwargs = {name: value for name, value in (("mode", mode), ("params", self.params),
                                                   ("config", self.config)) if name in args}
        result = input_fn(**kwargs)
        hooks = []
        if isinstance(result, tf.data.Dataset):  # TF 1.x: an initializable iterator, fed once
            iterator = v1.data.make_initializable_iterator(result)
            hooks.append(IteratorInitHook(iterator))
            result = iterator.get_next()
        if isinstance(result, (tuple, list)):
            if len(result) != 2:
                raise EstimatorError(f"input_fn should return (features, labels) as a len 2 "
                                     f"tuple, got a tuple of {len(result)}")
            return result[0], result[1], hooks
        return result, None, hooks

    def _call_model_fn(self, features, labels, mode):
        kwargs = {}
        if "labels" in self._model_fn_args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise EstimatorError("model_fn does not take labels, but input_fn returns labels.")
        for name, value in (("mode", mode), ("params", self.params), ("config", self.config)):
            if name in self._model_fn_args:
                kwargs[name] = value
        logging.info("Calling model_fn.")
        spec = self._model_fn(features=features, **kwargs)
        logging.info("Done calling model_fn.")
        if not isinstance(spec, EstimatorSpec):
            raise EstimatorError(f"model_fn should return an EstimatorSpec, got {type(spec)}.")
        return spec

    def _graph(self, input_fn, mode):
        graph = tf.Graph()
        with graph.as_default():
            v1.set_random_seed(self.config.tf_random_seed)
            global_step = v1.train.get_or_create_global_step()
            if mode == ModeKeys.TRAIN:
                global_step_read(graph, global_step)
            features, labels, hooks = self._call_input_fn(input_fn, mode)
            spec = self._call_model_fn(features, labels, mode)
        return graph, global_step, spec, hooks

    # -- train ---------------------------------------------------------------------------
    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        if steps is not None and max_steps is not None:
            raise EstimatorError("Can not provide both steps and max_steps.")
        for name, value in (("steps", steps), ("max_steps", max_steps)):
            if value is not None and value <= 0:
                raise EstimatorError(f"Must specify {name} > 0, given: {value}")
        if max_steps is not None:
            latest = self.latest_checkpoint()
            start = 0 if latest is None else int(tf.train.load_variable(latest, "global_step"))
            if max_steps <= start:
                logging.info("Skipping training since max_steps has already saved.")
                return self
        hooks = list(hooks or [])
        if steps is not None or max_steps is not None:
            hooks.append(v1.train.StopAtStepHook(steps, max_steps))
        graph, global_step, spec, input_hooks = self._graph(input_fn, ModeKeys.TRAIN)
        with graph.as_default():
            loss = self._train_with_spec(spec, input_hooks + hooks, global_step, saving_listeners)
        logging.info("Loss for final step: %s.", loss)
        return self

    def _train_with_spec(self, spec, hooks, global_step, saving_listeners):
        config = self.config
        if not any(s.op.name == "loss" for s in v1.get_collection(v1.GraphKeys.SUMMARIES)):
            v1.summary.scalar("loss", spec.loss)
        v1.add_to_collection(v1.GraphKeys.LOSSES, spec.loss)
        hooks = list(hooks) + [v1.train.NanTensorHook(spec.loss)]
        if config.log_step_count_steps is not None:
            hooks.append(v1.train.LoggingTensorHook({"loss": spec.loss, "step": global_step},
                                                    every_n_iter=config.log_step_count_steps))
        hooks.extend(spec.training_hooks)
        if not (spec.scaffold.saver or v1.get_collection(v1.GraphKeys.SAVERS)):
            v1.add_to_collection(v1.GraphKeys.SAVERS, v1.train.Saver(
                sharded=True, max_to_keep=config.keep_checkpoint_max,
                keep_checkpoint_every_n_hours=config.keep_checkpoint_every_n_hours,
                defer_build=True, save_relative_paths=True))
        everything = hooks + list(spec.training_chief_hooks)
        savers = [h for h in everything if isinstance(h, v1.train.CheckpointSaverHook)]
        chief_hooks = []
        if not savers and (config.save_checkpoints_secs or config.save_checkpoints_steps):
            chief_hooks = [v1.train.CheckpointSaverHook(
                self.model_dir, save_secs=config.save_checkpoints_secs,
                save_steps=config.save_checkpoints_steps, scaffold=spec.scaffold)]
            savers = chief_hooks
        if saving_listeners:
            if not savers:
                raise EstimatorError(
                    "There should be a CheckpointSaverHook to use saving_listeners. Please set "
                    "one of the RunConfig.save_checkpoints_steps or "
                    "RunConfig.save_checkpoints_secs.")
            savers[0]._listeners.extend(saving_listeners)
        with v1.train.MonitoredTrainingSession(
                is_chief=True, checkpoint_dir=self.model_dir, scaffold=spec.scaffold,
                hooks=hooks, chief_only_hooks=chief_hooks + list(spec.training_chief_hooks),
                save_checkpoint_secs=0, save_summaries_steps=config.save_summary_steps,
                config=config.session_config,
                log_step_count_steps=config.log_step_count_steps) as session:
            loss = None
            while not session.should_stop():
                _, loss = session.run([spec.train_op, spec.loss])
        return loss

    # -- evaluate ------------------------------------------------------------------------
    def _checkpoint(self, checkpoint_path, what):
        """The checkpoint to read (the latest by default), or None: TF 1.x's log line then."""
        checkpoint_path = checkpoint_path or self.latest_checkpoint()
        if checkpoint_path is None:
            logging.info("Could not find trained model in model_dir: %s, running "
                         "initialization to %s.", self.model_dir, what)
        return checkpoint_path

    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        if steps is not None and steps <= 0:
            raise EstimatorError(f"Must specify steps > 0, given: {steps}")
        checkpoint_path = self._checkpoint(checkpoint_path, "evaluate")
        graph, global_step, spec, input_hooks = self._graph(input_fn, ModeKeys.EVAL)
        with graph.as_default():
            metrics = dict(spec.eval_metric_ops)
            if "loss" not in metrics:
                metrics["loss"] = v1.metrics.mean(spec.loss)
            updates = [update for _, update in metrics.values()]
            finals = {key: value for key, (value, _) in metrics.items()}
            finals["global_step"] = global_step
            final_hook = v1.train.FinalOpsHook(finals)
            all_hooks = input_hooks + list(hooks or []) + list(spec.evaluation_hooks)
            if steps is not None:
                all_hooks.append(StopAfterRuns(steps))
            logging.info("Starting evaluation at " + time.strftime("%Y-%m-%d-%H:%M:%S"))
            creator = v1.train.ChiefSessionCreator(
                scaffold=spec.scaffold, checkpoint_filename_with_path=checkpoint_path,
                config=self.config.session_config)
            with v1.train.MonitoredSession(creator, hooks=all_hooks + [final_hook]) as session:
                while not session.should_stop():
                    session.run(updates)
            logging.info("Finished evaluation at " + time.strftime("%Y-%m-%d-%H:%M:%S"))
        results = final_hook.final_ops_values
        self._write_eval_summary(results, "eval" if name is None else f"eval_{name}")
        return results

    def _write_eval_summary(self, results, folder):
        step = int(results["global_step"])
        logging.info("Saving dict for global step %d: %s", step, ", ".join(
            f"{key} = {value}" for key, value in sorted(results.items())
            if not isinstance(value, bytes)))
        writer = v1.summary.FileWriterCache.get(os.path.join(self.model_dir, folder))
        summary = v1.Summary()
        for key, value in sorted(results.items()):
            if key != "global_step" and np.ndim(value) == 0 and not isinstance(value, bytes):
                summary.value.add(tag=key, simple_value=float(value))
        writer.add_summary(summary, step)
        writer.flush()

    # -- predict and export --------------------------------------------------------------
    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None,
                yield_single_examples=True):
        checkpoint_path = self._checkpoint(checkpoint_path, "predict")
        graph, _, spec, input_hooks = self._graph(input_fn, ModeKeys.PREDICT)
        with graph.as_default():
            predictions = pick(spec.predictions, predict_keys)
            creator = v1.train.ChiefSessionCreator(
                scaffold=spec.scaffold, checkpoint_filename_with_path=checkpoint_path,
                config=self.config.session_config)
            all_hooks = input_hooks + list(hooks or []) + list(spec.prediction_hooks)
            with v1.train.MonitoredSession(creator, hooks=all_hooks) as session:
                while not session.should_stop():
                    batch = session.run(predictions)
                    if not yield_single_examples:
                        yield batch
                    elif isinstance(batch, dict):
                        for i in range(batch_length(batch)):
                            yield {key: value[i] for key, value in batch.items()}
                    else:
                        yield from batch

    def export_savedmodel(self, export_dir_base, serving_input_receiver_fn, assets_extra=None,
                          as_text=False, checkpoint_path=None, strip_default_attrs=False):
        checkpoint_path = checkpoint_path or self._checkpoint_or_fail()
        graph = tf.Graph()
        with graph.as_default():
            v1.set_random_seed(self.config.tf_random_seed)
            v1.train.get_or_create_global_step()
            receiver = serving_input_receiver_fn()
            spec = self._call_model_fn(receiver.features, None, ModeKeys.PREDICT)
            return export_lib.write_saved_model(export_dir_base, receiver, spec,
                                                checkpoint_path, as_text, strip_default_attrs)

    export_saved_model = export_savedmodel
