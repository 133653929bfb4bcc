"""A sweep's progress: trials done / running / failed, elapsed, ETA.

    progress = Progress(total=10)
    progress.show(running=2)          # a bar redrawn in place on a terminal
    progress.finished("ok")           # or "diverged", "failed"

On a terminal the bar is redrawn on one line of stderr; otherwise (a log
file, a pipe) a plain line goes to ``log`` each time a training ends.
"""

import sys
import time


def duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    def __init__(self, total, log=print, stream=None, width=24):
        self.total, self.log, self.width = total, log, width
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.done = self.failed = self.diverged = self.running = 0
        self.start = time.monotonic()
        self._last = None

    def __repr__(self):
        return f"Progress({self.done}/{self.total}, running={self.running}, failed={self.failed})"

    def line(self):
        elapsed = time.monotonic() - self.start
        eta = (f"ETA {duration(elapsed / self.done * (self.total - self.done))}"
               if self.done else "ETA -")
        extra = f", {self.diverged} diverged" if self.diverged else ""
        return (f"{self.done}/{self.total} done, {self.running} running, {self.failed} failed"
                f"{extra}, {duration(elapsed)} elapsed, {eta}")

    def finished(self, status, running):
        self.done, self.running = self.done + 1, running
        self.failed += status == "failed"
        self.diverged += status == "diverged"
        if not self.tty:
            self.log(f"# {self.line()}")

    def show(self, running, final=False):
        self.running = running
        if not self.tty:
            return
        filled = self.width * self.done // max(1, self.total)
        text = f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.line()}"
        if text != self._last:
            self.stream.write(text + "\033[K")
            self.stream.flush()
            self._last = text
        if final:
            self.stream.write("\n")
            self.stream.flush()

    def clear(self):
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._last = None
