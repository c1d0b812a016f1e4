"""DuckDB connection handling for the read model: one writer process, readers read-only.

DuckDB lets one process open a database file read-write *or* several processes open it read-only, never both
(measured with duckdb 2.0: a read-only open while another process writes fails with "Conflicting lock is held").
So:

- **One writer.** A writer first takes an advisory lock on ``reports.duckdb.lock`` (``flock``); a second writer
  gets :class:`ProjectorBusy` at once. The writer opens the DuckDB file only while it writes pages and closes it
  in between (``--watch`` too), so readers get in.
- **Readers** open read-only and, when the writer has the file open at that moment, retry for a few seconds
  (``BISTAND_READ_WAIT``, default 10 s) before giving up with the same clear message.
- A **rebuild** writes a new file next to the old one and swaps it in atomically at the end: readers keep reading
  the old read model meanwhile.

Every duckdb error is wrapped into a :class:`ReadModelError` (one line for the CLI). When a run stops before the
store's end (an event it cannot project), the error is kept in ``reports.duckdb.failure`` until a run reaches the
end, so readers can say the read model is behind and why.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bistand_es.projections.errors import ProjectorBusy, ReadModelError, ReadModelMissing, ReadOnlyViolation

if TYPE_CHECKING:
    import duckdb

DEFAULT_READ_WAIT = 10.0
DEFAULT_WRITE_WAIT = 5.0
_RETRY_SLEEP = 0.05


def read_wait_from_env() -> float:  # float-ok: seconds
    try:
        return float(os.environ.get("BISTAND_READ_WAIT", DEFAULT_READ_WAIT))  # float-ok: seconds
    except ValueError:
        return DEFAULT_READ_WAIT


def is_lock_error(error: BaseException) -> bool:
    text = str(error)
    return "Could not set lock" in text or "Conflicting lock" in text


def is_read_only_error(error: BaseException) -> bool:
    return "read-only mode" in str(error)


def wrap_error(error: Exception) -> ReadModelError:
    """One readable line for a duckdb error."""
    if is_lock_error(error):
        return ProjectorBusy()
    if is_read_only_error(error):
        return ReadOnlyViolation()
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return ReadModelError(f"DuckDB: {first}")


@dataclass(frozen=True)
class Marker:
    """The last committed position, kept beside the database so an up-to-date check needs no DuckDB open."""

    position: int
    projection_version: int
    inode: int
    updated_at: str
    events_projected: int = 0
    rules: str = ""  # the jobbstimulans periods the windows were computed with


class ReadModelStore:
    """Paths and connections of one read model file (``BISTAND_HOME/reports.duckdb``)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @property
    def marker_path(self) -> Path:
        return self.path.with_name(self.path.name + ".position")

    @property
    def failure_path(self) -> Path:
        return self.path.with_name(self.path.name + ".failure")

    @property
    def rebuild_path(self) -> Path:
        return self.path.with_name(self.path.name + ".rebuild")

    @staticmethod
    def wal_of(path: Path) -> Path:
        return path.with_name(path.name + ".wal")

    # ------------------------------------------------------------------ the writer lock

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the one-writer lock, or raise :class:`ProjectorBusy` at once."""
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ProjectorBusy() from None
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # ------------------------------------------------------------------ connections

    def connect_writer(
        self,
        path: Path | None = None,
        *,
        wait: float = DEFAULT_WRITE_WAIT,  # float-ok: seconds
    ) -> duckdb.DuckDBPyConnection:
        """Open the file read-write (call only while holding :meth:`writer_lock`); waits out short readers."""
        con = _connect(path or self.path, read_only=False, wait=wait)
        # Checkpoint (fold the WAL into the file) less often than DuckDB's default 16 MB: a checkpoint per
        # ~10 000 events cost more than the inserts and left small row groups behind. Closing the file
        # checkpoints too, and a crash before that only makes the next open replay a longer WAL.
        con.execute("SET checkpoint_threshold = '256MB'")
        return con

    def connect_reader(self, *, wait: float | None = None) -> duckdb.DuckDBPyConnection:  # float-ok: seconds
        """Open the file read-only; retries while the writer has it open, up to ``wait`` seconds."""
        if not self.path.exists():
            raise ReadModelMissing(f"no read model at {self.path} yet — run `bistand projections update` first")
        return _connect(self.path, read_only=True, wait=read_wait_from_env() if wait is None else wait)

    # ------------------------------------------------------------------ the position marker

    def read_marker(self) -> Marker | None:
        try:
            data: dict[str, Any] = json.loads(self.marker_path.read_text(encoding="utf-8"))
            return Marker(
                int(data["position"]),
                int(data["projection_version"]),
                int(data["inode"]),
                str(data["updated_at"]),
                int(data.get("events_projected", 0)),
                str(data.get("rules", "")),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write_marker(
        self, position: int, projection_version: int, updated_at: str, events_projected: int = 0, rules: str = ""
    ) -> None:
        try:
            inode = self.path.stat().st_ino
        except OSError:
            return
        tmp = self.marker_path.with_name(self.marker_path.name + ".tmp")
        data = {
            "position": position,
            "projection_version": projection_version,
            "inode": inode,
            "updated_at": updated_at,
            "events_projected": events_projected,
            "rules": rules,
        }
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.marker_path)

    def marker_is_current(
        self, marker: Marker | None, projection_version: int, store_position: int, rules: str | None = None
    ) -> bool:
        """True if the marker proves the read model is at ``store_position`` with this code's version (and, when
        given, the same jobbstimulans periods)."""
        if marker is None or marker.projection_version != projection_version:
            return False
        if rules is not None and marker.rules != rules:
            return False
        try:
            inode = self.path.stat().st_ino
        except OSError:
            return False
        return marker.inode == inode and marker.position == store_position

    # ------------------------------------------------------------------ the last failure

    def write_failure(self, message: str) -> None:
        """Keep why the last run stopped before the store's end (one line)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.failure_path.with_name(self.failure_path.name + ".tmp")
            tmp.write_text(message.splitlines()[0] if message else "unknown error", encoding="utf-8")
            os.replace(tmp, self.failure_path)
        except OSError:
            return

    def read_failure(self) -> str | None:
        try:
            text = self.failure_path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text or None

    def clear_failure(self) -> None:
        with contextlib.suppress(OSError):
            self.failure_path.unlink(missing_ok=True)


def _connect(path: Path, *, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:  # float-ok: seconds
    import duckdb

    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as error:
            if not is_lock_error(error):
                raise wrap_error(error) from None
            if time.monotonic() >= deadline:
                raise ProjectorBusy() from None
            time.sleep(_RETRY_SLEEP)
