"""Progress of a batch: a bar on a terminal (done/total, failures, ETA), plain lines in a log."""

from __future__ import annotations

import logging
import sys
import time

from grader.batch.run import RESUMED, GradedSubmission


class Progress:
    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.stream = total, stream
        self.done = self.failed = self.resumed = 0
        self.started = time.monotonic()
        self.bar = None
        if stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="submission", file=stream, dynamic_ncols=True,
                            smoothing=0.1, postfix={"failed": 0})

    def update(self, outcome: GradedSubmission) -> None:
        self.done += 1
        self.failed += outcome.failed
        self.resumed += outcome.state == RESUMED
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(failed=self.failed, refresh=False)
            return
        self.write(f"[{self.done}/{self.total}] {outcome.submission.id}: {self._result(outcome)}"
                   f"{self._eta()}")

    def write(self, message: str) -> None:
        if self.bar is not None:
            self.bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    @staticmethod
    def _result(outcome: GradedSubmission) -> str:
        if outcome.failed:
            return f"GRADER PROBLEM: {outcome.problem}"
        how = "already graded" if outcome.state == RESUMED else f"{outcome.seconds:.0f} s"
        return f"{outcome.graded.score:g}/{outcome.graded.max_score:g} ({how})"

    def _eta(self) -> str:
        graded_here = self.done - self.resumed
        left = self.total - self.done
        if not graded_here or not left:
            return ""
        seconds = (time.monotonic() - self.started) / graded_here * left
        return f"; about {seconds / 60:.0f} min left" if seconds >= 90 else \
            f"; about {seconds:.0f} s left"


class ProgressHandler(logging.Handler):
    """Log messages of the batch, printed without breaking the bar."""

    def __init__(self, progress: Progress):
        super().__init__(logging.INFO)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.write(record.getMessage())
