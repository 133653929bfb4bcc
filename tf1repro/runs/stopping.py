"""How a run stops and what it says: its log lines, signals, interruption, divergence.

    runlog = RunLog(print)            # lines printed, kept for run.log and the run state
    with StopOnSignals() as stop:     # SIGINT/SIGTERM: stop() answers at the next step boundary
        train.train_and_evaluate(..., log=runlog, stop=stop)

``Interrupted`` (exit 128 + signal) and ``Diverged`` (exit 3) are raised by
the training loop once the last complete epoch is committed.
"""

import signal

from tf1repro.errors import UserError
from tf1repro.files import ResourceError, write_atomic


class RunLog:
    """Lines a person reads: printed as they come, kept for ``run.log`` and the run state.

    ``history`` holds the lines of earlier attempts of the run (from its run
    state).  Nothing is written until ``attach``: a run that fails its
    checks must leave an existing ``run.log`` as it was.
    """

    def __init__(self, print_line=print, history=()):
        self.print_line = print_line
        self.lines = list(history)
        self.path = None

    def __call__(self, line):
        self.print_line(line)
        self.lines.append(line)
        self._write()

    def echo(self, line):
        """Print without recording: earlier epochs shown again when a run resumes."""
        self.print_line(line)

    def note(self, line):
        """Record without printing (what stderr already said, for the log file); best effort."""
        self.lines.append(line)
        try:
            self._write()
        except ResourceError:
            pass  # it says why a run stopped; what stopped it may stop this too

    def attach(self, path):
        self.path = path
        self._write()

    def _write(self):
        if self.path is not None:
            # Rewritten whole (lines from a killed attempt that its run state
            # never committed disappear); not fsync'ed: the run state is the
            # durable record, this is its readable view.  A failure is
            # ResourceError, as for every write: the next save would fail too.
            write_atomic(self.path, "\n".join(self.lines) + "\n", durable=False)


class Interrupted(Exception):
    """Training stopped on a signal at a step boundary; the last complete epoch is saved."""

    def __init__(self, signum, message):
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum  # the shell's convention: 130 SIGINT, 143 SIGTERM


class Diverged(UserError):
    """The loss went non-finite; the last good checkpoint is kept."""

    exit_code = 3


class StopOnSignals:
    """SIGINT and SIGTERM set a flag instead of killing; ``stop()`` returns its signal or None.

    The training loop asks between ``Session.run`` calls.  A second SIGINT
    raises KeyboardInterrupt at once, a second SIGTERM kills as usual.
    Outside the main thread (where Python allows no handlers) it never stops.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.signum = None
        self._previous = {}

    def __call__(self):
        return self.signum

    def _handle(self, signum, frame):
        if self.signum is None:
            self.signum = signum
        signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT
                      else signal.SIG_DFL)

    def __enter__(self):
        try:
            for s in self.SIGNALS:
                self._previous[s] = signal.signal(s, self._handle)
        except ValueError:  # not the main thread
            self._previous.clear()
        return self

    def __exit__(self, *exc):
        for s, previous in self._previous.items():
            signal.signal(s, previous)
        self._previous.clear()
        return False


def signal_name(signum):
    return signal.Signals(signum).name
