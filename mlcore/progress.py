"""Progress of long work (imports, training, re-classification) on the command line.

On a terminal it is a live tqdm bar. On a pipe or a log file (CI, systemd, `make run | tee`) a bar
redrawn with carriage returns becomes one unreadable line of thousands of frames, so there it is a
plain line at most every PIPE_INTERVAL_SECONDS, and one at the end.
"""

import io
import sys
from collections.abc import Callable, Iterable

from tqdm import tqdm

PIPE_INTERVAL_SECONDS = 10.0


class _LinePerRedraw(io.TextIOBase):
    """A text stream for tqdm where every redraw (`\\r<bar>`) is written as its own line."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        line = text.replace("\r", "").rstrip("\n")
        if line.strip():
            self._stream.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False


def progress_bar(
    iterable: Iterable | None = None,
    *,
    desc: str,
    unit: str = "it",
    total: int | None = None,
    stream=None,
    leave: bool = True,
    disable: bool = False,
) -> tqdm:
    """A tqdm bar on a terminal; a line every PIPE_INTERVAL_SECONDS anywhere else."""
    stream = stream or sys.stderr
    if is_terminal(stream):
        return tqdm(
            iterable, desc=desc, unit=unit, total=total, file=stream, leave=leave, disable=disable
        )
    return tqdm(
        iterable,
        desc=desc,
        unit=unit,
        total=total,
        file=_LinePerRedraw(stream),
        leave=True,  # the last line is the record of what was done
        disable=disable,
        mininterval=PIPE_INTERVAL_SECONDS,
        ncols=80,
        ascii=True,
    )


def progress_callback(bar: tqdm) -> Callable[[int, int], None]:
    """A `progress(done, total)` callback for services that report their own counts."""

    def progress(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        if done > bar.n:
            bar.update(done - bar.n)  # update(), not refresh(): it honours mininterval

    return progress
