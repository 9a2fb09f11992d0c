"""Progress on a pipe or in a log file is readable lines, not carriage-return frames."""

import io
import os
import pty

from mlcore.progress import PIPE_INTERVAL_SECONDS, progress_bar, progress_callback


def test_on_a_pipe_a_quick_run_writes_one_line_per_redraw_and_ends_with_the_total():
    log = io.StringIO()
    bar = progress_bar(desc="posts", unit="row", total=0, stream=log)
    progress = progress_callback(bar)
    for done in range(1, 5001):
        progress(done, 5000)
    bar.close()
    text = log.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    # A run shorter than the interval: the first frame and the final one, nothing in between.
    assert 1 <= len(lines) <= 3, lines
    assert "5000/5000" in lines[-1]
    assert PIPE_INTERVAL_SECONDS >= 5


def test_an_iterable_on_a_pipe_reports_every_item_counted():
    log = io.StringIO()
    seen = sum(1 for _ in progress_bar(range(300), desc="batches", unit="batch", stream=log))
    assert seen == 300
    assert "300/300" in log.getvalue().splitlines()[-1]


def test_on_a_terminal_it_is_a_live_bar():
    leader, follower = pty.openpty()
    with os.fdopen(follower, "w") as terminal:
        bar = progress_bar(desc="posts", unit="row", total=3, stream=terminal)
        for _ in range(3):
            bar.update(1)
        bar.close()
    output = terminal_output(leader)
    assert "\r" in output and "3/3" in output


def terminal_output(leader: int) -> str:
    """All a closed pseudo-terminal received: one read may return only its first frame."""
    chunks = []
    try:
        while chunk := os.read(leader, 65536):
            chunks.append(chunk)
    except OSError:  # Linux: EIO once the other end is closed and everything was read
        pass
    finally:
        os.close(leader)
    return b"".join(chunks).decode()
