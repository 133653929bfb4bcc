"""Trainings as Ray tasks: on a private Ray instance on this machine, or on a cluster.

    with Cluster(address=None, jobs=2) as cluster:   # or address="10.0.0.5:6379"
        cluster.run(runs, log)                      # sweeps.Run objects, status filled in

Ray (the ``[sweep]`` extra) is imported only here, and only by ``sweep`` and
``ablation``.  Without an address a new Ray instance starts on 127.0.0.1 with
no dashboard and stops at the end; ``address="local"`` makes sure it never
joins another cluster it happens to find.  With an address, Ray's token
authentication is required (``RAY_AUTH_MODE=token``).  Each training is one
task asking for its threads as CPUs, in a worker process of its own:
``train_run`` calls ``runs.start.train`` there and returns the run's record
and node.
"""

import contextlib
import ipaddress
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback

from tf1repro.errors import UserError
from tf1repro.explore.progress import Progress

MISSING = ("sweep, ablation and run --seeds/--grid run their trainings on Ray, which is not "
           "installed: pip install -e .[sweep] (./run.sh sweep installs it)")
# A SIGKILLed worker's task runs again, resuming from the run's last epoch.
MAX_RETRIES = 2
CONNECT_SECONDS = 5.0


def train_run(folder, argv, checkpoint, overrides, loop, threads, data_dir=None):
    """``runs.start.train`` (resuming) with ``threads`` threads, its lines in ``folder/train.log``.

    Returns ``{"returncode", "record" (metrics.json), "error", "node", "seconds"}``,
    ``returncode`` and ``error`` as ``train`` gives them (``tf1repro: error: ...``).
    Runs wherever Ray puts it: MNIST is provisioned and verified on that node.
    ``Cluster.run`` gives each call a worker process of its own (``max_calls=1``),
    so TensorFlow's thread pools are this training's.
    """
    import fcntl
    from tf1repro.files import resource_error, write_json
    from tf1repro.data.provision import default_data_dir, ensure_mnist
    from tf1repro.explore.records import load_run
    from tf1repro.runs import start
    from tf1repro.runs.stopping import Interrupted
    begin = time.perf_counter()
    node = node_name()
    folder_data = os.path.expanduser(data_dir or default_data_dir())
    os.makedirs(folder_data, exist_ok=True)
    with open(os.path.join(folder_data, ".provision.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one fetch per node, however many tasks land there
        ensure_mnist(folder_data, log=lambda line: None)
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, "command.json"), {"argv": argv})
    os.environ["TF1REPRO_THREADS"] = str(threads)  # for any session_config() without threads
    code, error = 0, None
    # A retry's lines follow the killed attempt's.
    with open(os.path.join(folder, "train.log"), "a") as out:
        def log(line):
            out.write(line + "\n")
            out.flush()
        try:
            start.train(checkpoint, overrides, resume=True, log=log, data_dir=data_dir,
                        loop=loop, threads=threads)
        except Interrupted as e:
            code, error = e.exit_code, f"tf1repro: {e}"
        except UserError as e:  # ResourceError and Diverged too, each with its exit code
            code, error = e.exit_code, f"tf1repro: error: {e}"
        except (OSError, MemoryError) as e:  # a failure no module translated: as train says it
            machine = resource_error(e, f"training in {folder}")
            code, error = (1, f"{type(e).__name__}: {e}") if machine is None else \
                (machine.exit_code, f"tf1repro: error: {machine}")
        except Exception as e:  # a bug: its traceback in the log, as Python prints it
            code, error = 1, f"{type(e).__name__}: {e}"
            log(traceback.format_exc().rstrip())
        if error is not None and code != 1:
            log(error)
    record = None
    if code == 0:
        try:
            record = load_run(folder)
        except UserError:
            pass
    return {"returncode": code, "record": record, "node": node, "error": error,
            "seconds": time.perf_counter() - begin}


def node_name():
    """This host, and its address in Ray's cluster (127.0.0.1 locally)."""
    return f"{socket.gethostname()} ({_node_ip()})"


def _node_ip():
    try:
        import ray
        return ray._private.worker.global_worker.node_ip_address  # Ray's own, 127.0.0.1 locally
    except Exception:  # outside Ray
        return "127.0.0.1"


def _loopback(address):
    host = address.rsplit(":", 1)[0].strip("[]")
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


class Cluster:
    """A connection to Ray for the length of a ``with`` block; ``run`` trains runs on it."""

    def __init__(self, address=None, jobs=None, threads=None, data_dir=None, log=print):
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.jobs, self.threads, self.data_dir, self.log = jobs, threads, data_dir, log
        self.startup_seconds = None
        self._temp = None

    def __repr__(self):
        return f"Cluster(address={self.address!r}, jobs={self.jobs}, threads={self.threads})"

    def __enter__(self):
        local = self.address in (None, "local")
        # Read when Ray loads.  Token authentication, always: a cluster is never
        # open to anyone on the network; the private instance gets Ray's default
        # for a new local one, said explicitly so that Ray does not warn.
        os.environ.setdefault("RAY_AUTH_MODE", "token")
        if local or _loopback(self.address):
            # Ray turns a node address of 127.0.0.1 into the machine's network
            # address, and its servers then listen on every interface, unless
            # it is told that this is no cluster (Ray's switch for laptops):
            # then each of them listens on 127.0.0.1 only (docs/clusters.md).
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        try:
            import ray
        except ImportError:
            raise UserError(MISSING) from None
        self.ray = ray
        start = time.perf_counter()
        cores = os.cpu_count() or 1
        if local:
            self.jobs = self.jobs or cores
            self.threads = self.threads or max(1, cores // self.jobs)
            # A private temp dir: a stray /tmp/ray session never matters, and
            # its sockets' paths stay short.
            self._temp = tempfile.mkdtemp(prefix="tf1ray-", dir="/tmp")
            said = []
            try:
                with _stderr_into(said):
                    ray.init(address="local", num_cpus=max(cores, self.jobs * self.threads),
                             include_dashboard=False, _node_ip_address="127.0.0.1",
                             _temp_dir=self._temp, configure_logging=False, log_to_driver=False)
            except Exception as e:
                ray.shutdown()  # what did start; its logs stay for the user to read
                lines = str(e).strip().splitlines() or [type(e).__name__]
                raise UserError(f"cannot start a Ray instance on this machine ({lines[0]}); "
                                f"Ray's logs: {self._temp}") from None
            where = "a private Ray instance on 127.0.0.1 (no dashboard)"
        else:
            self._connect(ray)
            self.threads = self.threads or 1
            cpus = int(ray.cluster_resources().get("CPU", 0))
            self.jobs = self.jobs or max(1, cpus // self.threads)
            where = f"the Ray cluster at {self.address} ({cpus} CPUs)"
        self.startup_seconds = time.perf_counter() - start
        self.log(f"# ray {ray.__version__}: {where}, ready in {self.startup_seconds:.1f} s")
        return self

    def _connect(self, ray):
        address = self.address.removeprefix("ray://")
        host, _, port = address.rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), CONNECT_SECONDS).close()
        except (OSError, ValueError) as e:
            raise UserError(f"cannot reach a Ray cluster at {self.address} ({getattr(e, 'strerror', None) or e}); "
                            "start one with 'ray start --head' (docs/clusters.md) or give the "
                            "head's HOST:PORT with --address") from None
        said = []
        try:
            with _stderr_into(said):
                ray.init(address=address, configure_logging=False, log_to_driver=False,
                         _node_ip_address="127.0.0.1" if _loopback(address) else None)
        except Exception as e:
            text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            if "InvalidAuthToken" in "".join(said) + str(e):
                raise UserError(f"the Ray cluster at {self.address} refused this driver's token; "
                                "give it the cluster's: RAY_AUTH_TOKEN=... or ~/.ray/auth_token "
                                "(docs/clusters.md)") from None
            if "version mismatch" in str(e).lower():
                raise UserError(f"the Ray cluster at {self.address} runs another Ray version than "
                                f"this one ({ray.__version__}): install the cluster's version here, "
                                "or restart the cluster with this one") from None
            if "token" in str(e).lower() or "auth" in str(e).lower():
                raise UserError(f"the Ray cluster at {self.address} refused this driver ({text}); "
                                "give it the cluster's token: RAY_AUTH_TOKEN=... or "
                                "~/.ray/auth_token (docs/clusters.md)") from None
            raise UserError(f"cannot connect to the Ray cluster at {self.address}: {text}") from None

    def __exit__(self, *exc):
        self.ray.shutdown()
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)
        return False

    def run(self, runs, log, function=train_run):
        """Run ``function`` (``train_run``; ``program_runs.run_program`` for a grid) for each
        of ``runs`` (sweeps.Run, grids.ProgramRun: ``arguments(threads, data_dir)`` gives
        its arguments), ``jobs`` at a time; settle each as it finishes."""
        ray = self.ray
        # max_calls=1: a fresh worker process for each training, whose TensorFlow
        # thread pools are its own, and which leaves nothing behind for the next.
        task = ray.remote(num_cpus=self.threads, max_calls=1, max_retries=MAX_RETRIES,
                          retry_exceptions=False)(function)
        log(f"# {min(self.jobs, len(runs))} at a time, {self.threads} "
            f"thread{'s' if self.threads > 1 else ''} (Ray CPU{'s' if self.threads > 1 else ''}) each")
        progress = Progress(len(runs), log)
        queue, running = list(runs), {}  # ObjectRef -> Run
        previous = _sigterm_interrupts()
        try:
            while queue or running:
                while queue and len(running) < self.jobs:
                    run = queue.pop(0)
                    running[task.remote(*run.arguments(self.threads, self.data_dir))] = run
                progress.show(running=len(running))
                done, _ = ray.wait(list(running), num_returns=1, timeout=1.0)
                for ref in done:
                    run = running.pop(ref)
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.RayError as e:
                        lines = str(e).strip().splitlines() or [type(e).__name__]
                        result = {"error": f"{type(e).__name__}: {lines[-1]}"}
                    progress.clear()
                    run.settle(result, log)
                    progress.finished(run.status, running=len(running))
            progress.show(running=0, final=True)
        finally:
            for ref in running:
                ray.cancel(ref, force=True)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        return runs


@contextlib.contextmanager
def _stderr_into(said):
    """Ray's C++ core writes its connection retries to file descriptor 2: keep them
    from the user's terminal, appended to ``said`` to tell what went wrong."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+", errors="replace") as f:
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            f.seek(0)
            said.append(f.read())


def _sigterm_interrupts():
    """SIGTERM interrupts like Ctrl-C (Ray's own handler would exit without cleaning up)."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        return None
