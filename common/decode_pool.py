"""Decode processes for uploads: each web (or worker) process keeps a few, started at first use.

Decoding a photo holds the GIL in places (the colour conversion of 40 megapixels, the comparison
of a progressive scan), so on a thread it still stalls a gevent worker's event loop; in another
process it cannot. Each slot of the pool is one decode process (`python -m common.image_decode`,
Pillow and nothing of Django) with a socket to it, serving one upload at a time. Waiting, for a
free slot or for the answer, is on a queue and a socket: under gevent's monkey-patching both are
cooperative, so the event loop keeps serving; elsewhere (tests, runserver, Celery) they block the
calling thread only.

A decode past its time limit has its process killed and a fresh one started in its slot, so
neither a stuck decode nor a crashed process takes a slot out of the pool; the other slots, and
the uploads they are decoding, are not touched (a concurrent.futures.ProcessPoolExecutor breaks
as a whole when one of its processes dies).

No Django here: the limits come as arguments (common/uploads.py reads them from the settings).
"""

import json
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from common.image_decode import DecodeRefused, frame_recv, frames_send

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# How long a killed or closed decode process is waited for, to reap it.
_REAP_SECONDS = 5


class DecodeBusy(Exception):
    """No decode process was free within the queue time limit."""


class DecodeTooSlow(Exception):
    """The decode ran past its time limit; its process was killed and replaced."""


class DecodeFailed(Exception):
    """The decode process died or failed during the decode; it was replaced."""


@dataclass(frozen=True)
class Decoded:
    content: bytes
    width: int
    height: int
    pid: int  # the decode process that made it


class _DecodeProcess:
    """One decode process and this process's end of the socket to it."""

    def __init__(self):
        # Looked up at call time, so under gevent's monkey-patching these are gevent's: the
        # socket yields to the event loop while it waits, the process is reaped by its watcher.
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "common.image_decode", str(theirs.fileno())],
                cwd=ROOT,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.sock = ours
        self.pid = self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def decode(self, data: bytes, *, detected: str, max_pixels: int, deadline: float) -> Decoded:
        header = json.dumps({"format": detected, "max_pixels": max_pixels}).encode()
        try:
            frames_send(self.sock, header, data, deadline=deadline)
            reply = json.loads(frame_recv(self.sock, deadline=deadline))
            content = frame_recv(self.sock, deadline=deadline)
        except TimeoutError:
            raise DecodeTooSlow from None
        except (EOFError, OSError, ValueError) as exc:  # died (killed, crashed) or talks nonsense
            raise DecodeFailed(f"decode process {self.pid} stopped answering: {exc!r}") from exc
        if "refused" in reply:
            raise DecodeRefused(str(reply["refused"]))
        if "error" in reply:
            raise DecodeFailed(f"decode process {self.pid} failed:\n{reply['error']}")
        width, height = reply.get("width"), reply.get("height")
        if not (isinstance(width, int) and isinstance(height, int) and content):
            raise DecodeFailed(f"decode process {self.pid} answered {reply!r}")
        return Decoded(content=content, width=width, height=height, pid=self.pid)

    def stop(self, *, grace: float = 0) -> int | None:
        """Close the socket (an idle process then exits by itself), kill the process if it has
        not ended within `grace` seconds, and reap it; its exit status (None if not reaped)."""
        self.sock.close()
        try:
            return self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
        try:
            return self.process.wait(_REAP_SECONDS)
        except subprocess.TimeoutExpired:
            return None


class DecodePool:
    """`size` slots, each holding a decode process (started when the slot is first used)."""

    def __init__(self, size: int):
        self.size = size
        self.owner_pid = os.getpid()
        self._idle: queue.Queue = queue.Queue()
        for _ in range(size):
            self._idle.put(None)
        self._busy: dict[int, _DecodeProcess] = {}
        self._closed = False

    def decode(
        self,
        data: bytes,
        *,
        detected: str,
        max_pixels: int,
        queue_timeout: float,
        decode_timeout: float,
    ) -> Decoded:
        """Decode and re-encode `data` in a decode process.

        DecodeBusy when no slot was free within `queue_timeout` seconds (waiting is not counted
        as slow); DecodeTooSlow when the decode ran `decode_timeout` seconds; DecodeFailed when
        its process died or failed; DecodeRefused for an image that cannot be used.
        """
        try:
            worker = self._idle.get(timeout=queue_timeout)
        except queue.Empty:
            raise DecodeBusy from None
        try:
            if worker is None or not worker.alive():  # first use, or died while idle
                worker = self._started(worker)
            self._busy[worker.pid] = worker
            started = time.monotonic()
            try:
                return worker.decode(
                    data,
                    detected=detected,
                    max_pixels=max_pixels,
                    deadline=started + decode_timeout,
                )
            except DecodeRefused:
                raise
            except BaseException as exc:
                # Too slow, dead, or this request interrupted mid-exchange (a Celery time limit,
                # a killed greenlet): the process may be busy or out of step, so it goes.
                self._busy.pop(worker.pid, None)
                # A dead or failed process gets a second to end by itself, for its exit status.
                status = worker.stop(grace=1 if isinstance(exc, DecodeFailed) else 0)
                if isinstance(exc, DecodeTooSlow):
                    log.warning(
                        "decode process %d killed after %.1f s (UPLOAD_DECODE_TIMEOUT)",
                        worker.pid,
                        time.monotonic() - started,
                    )
                elif isinstance(exc, DecodeFailed):
                    log.error("%s (exit status %s)", exc, status)
                worker = self._started(worker)
                raise
        finally:
            if worker is not None:
                self._busy.pop(worker.pid, None)
            self._returned(worker)

    def pids(self) -> list[int]:
        """The decode processes started so far that are still slotted (idle or busy)."""
        idle = [worker.pid for worker in list(self._idle.queue) if worker is not None]
        return sorted(idle + list(self._busy))

    def busy_pids(self) -> list[int]:
        """The decode processes decoding an upload now."""
        return sorted(self._busy)

    def close(self) -> None:
        """Stop the idle decode processes now, the busy ones when their upload is done."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            if worker is not None:
                worker.stop()

    def _started(self, worker: "_DecodeProcess | None") -> "_DecodeProcess | None":
        """A fresh decode process for the slot; the old one if none can be started (the slot
        tries again at its next use, and that upload gets the error)."""
        try:
            return _DecodeProcess()
        except OSError:
            if worker is None:
                raise
            log.exception("could not start a decode process; the slot will try again")
            return worker

    def _returned(self, worker: "_DecodeProcess | None") -> None:
        if self._closed and worker is not None:
            worker.stop()
        else:
            self._idle.put(worker)


_pool: DecodePool | None = None
_pool_lock = threading.Lock()


def decode_pool(size: int) -> DecodePool:
    """This process's pool of `size` decode processes (a new one after a fork or a new size)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.owner_pid != os.getpid() or _pool.size != size:
            if _pool is not None and _pool.owner_pid == os.getpid():
                _pool.close()
            # A pool inherited through fork() is left alone: its processes are the parent's.
            _pool = DecodePool(size)
        return _pool
