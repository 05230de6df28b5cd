"""Atomic, resumable output files.

Output goes to ``OUT.partial`` next to ``OUT`` (same folder, so the final
``os.replace`` is atomic) and is flushed after every article; ``OUT`` appears
only when the run finishes.  An interrupted JSONL run leaves ``OUT.partial``;
``--resume`` reads the ids already there (dropping a truncated last line) and
appends the rest, so nothing is computed or written twice.

One run at a time writes to ``OUT``: the sink holds an exclusive lock on
``OUT.lock`` (``flock``, released when the run ends or dies, so a crashed run
leaves no stale lock) and a second run writing to the same ``OUT`` is refused
with :class:`OutputLocked` before it does any work.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TextIO

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: no lock
    fcntl = None  # type: ignore[assignment]


def partial_path(out: Path) -> Path:
    return out.with_name(out.name + ".partial")


def lock_path(out: Path) -> Path:
    return out.with_name(out.name + ".lock")


class OutputLocked(OSError):
    """Another run is writing the same output file."""


def _lock(path: Path) -> int | None:
    """An exclusive, non-blocking ``flock`` on ``path`` (created); its descriptor."""
    if fcntl is None:
        return None
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OutputLocked(
                11, f"another narrascope run is writing this output (lock {path} is held); "
                "wait for it to finish or choose another -o") from None
        try:  # the lock file may have been removed by the run that just finished
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def repair_and_read_ids(path: Path) -> set[str]:
    """Ids of the complete JSONL records in ``path``; cut a truncated last line off."""
    ids: set[str] = set()
    good_end = 0
    with open(path, "rb") as fh:
        pos = 0
        for raw in fh:
            end = pos + len(raw)
            if not raw.endswith(b"\n"):
                break  # truncated last line (interrupted mid-write)
            try:
                rec = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                break
            if isinstance(rec, dict) and "id" in rec:
                ids.add(str(rec["id"]))
            good_end = end
            pos = end
    if good_end != path.stat().st_size:
        with open(path, "r+b") as fh:
            fh.truncate(good_end)
    return ids


class Sink:
    """A text output: stdout (``None`` or ``-``) or an atomically replaced file."""

    def __init__(self, out: str | Path | None, resume: bool = False) -> None:
        self.done_ids: set[str] = set()
        #: whether a kept OUT.partial can be continued with --resume (JSONL)
        self.resumable = False
        # str(): `report -o -` passes Path("-"), which must mean stdout too, not a file "-"
        self.out: Path | None = None if out is None or str(out) == "-" else Path(out)
        self.tmp: Path | None = None
        if self.out is None:
            self.fh: TextIO = sys.stdout
            return
        if self.out.is_dir():  # fail now, not at the final rename after all the work
            raise IsADirectoryError(21, "Is a directory", str(self.out))
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = partial_path(self.out)
        self._lock_file = lock_path(self.out)
        self._lock_fd = _lock(self._lock_file)
        try:
            mode = "w"
            if resume:
                if not self.tmp.exists() and self.out.exists():
                    # resume from a finished file: continue it under .partial
                    os.replace(self.out, self.tmp)
                if self.tmp.exists():
                    self.done_ids = repair_and_read_ids(self.tmp)
                    mode = "a"
            self.fh = open(self.tmp, mode, encoding="utf-8", newline="")  # noqa: SIM115
        except BaseException:
            self._unlock()
            raise

    def _unlock(self) -> None:
        fd = getattr(self, "_lock_fd", None)
        if fd is None:
            return
        self._lock_fd = None
        try:
            os.unlink(self._lock_file)  # before unlocking: a waiting run re-checks the inode
        except OSError:
            pass
        os.close(fd)

    @property
    def resumed(self) -> bool:
        return bool(self.done_ids)

    def write(self, s: str) -> None:
        self.fh.write(s)

    def flush(self) -> None:
        self.fh.flush()

    def commit(self) -> None:
        """Finish: flush, fsync and rename ``OUT.partial`` to ``OUT``."""
        if self.out is None:
            self.fh.flush()
            return
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        assert self.tmp is not None
        os.replace(self.tmp, self.out)
        self._unlock()

    def discard(self) -> None:
        """Finish without output (nothing was written): remove ``OUT.partial``."""
        self.fh.flush()
        if self.out is None or self.tmp is None:
            return
        self.fh.close()
        self.tmp.unlink(missing_ok=True)
        self._unlock()

    def abort(self) -> Path | None:
        """Stop without finishing; the partial file stays (returned) for --resume."""
        if self.out is None:
            self.fh.flush()
            return None
        try:
            self.fh.flush()
            self.fh.close()
        finally:
            self._unlock()
        return self.tmp
