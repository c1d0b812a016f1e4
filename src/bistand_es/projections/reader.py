"""Reading ahead: the batches after a position, decoded in a thread while the writer commits."""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from bistand_es.projections.batches import PreparedBatch, prepare_batch
from bistand_es.projections.rows import StoredNotification, opener_of

if TYPE_CHECKING:
    from bistand_es.application.app import BistandApplication

#: The GIL switch interval while the reader thread runs: short, so DuckDB gets the GIL back at once when it
#: needs it (with the default 5 ms, the writer waits for the decoding thread and the overlap is lost).
_SWITCH_INTERVAL: Final = 0.0002


class BatchReader:
    """The batches after ``start``: pages of ``page_size`` gathered up to ``batch_size`` events, decoded.

    Threaded, a daemon thread reads and decodes ahead (at most two batches) while the caller writes; leaving the
    ``with`` block stops it. Either way the caller sees the same batches in the same order.
    """

    _DONE: Final = object()

    def __init__(self, app: BistandApplication, start: int, page_size: int, batch_size: int, *, threaded: bool) -> None:
        self._app = app
        self._position = start
        self._page_size = page_size
        self._batch_size = batch_size
        self._threaded = threaded
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._switch_interval = sys.getswitchinterval()

    def __enter__(self) -> BatchReader:
        if self._threaded:
            sys.setswitchinterval(_SWITCH_INTERVAL)
            self._thread = threading.Thread(target=self._produce, name="bistand-projector-reader", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._thread is not None:
            self._stop.set()  # the reader notices within 50 ms (or after the batch it is decoding)
            self._thread.join()
            sys.setswitchinterval(self._switch_interval)

    def __iter__(self) -> Iterator[PreparedBatch]:
        if not self._threaded:
            while True:
                batch, more = self._next_batch()
                if batch is not None:
                    yield batch
                if not more:
                    return
        while True:
            item = self._queue.get()
            if item is self._DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def _next_batch(self) -> tuple[PreparedBatch | None, bool]:
        """The next batch (None when nothing is new) and whether more may follow (the last page was full)."""
        notifications: list[StoredNotification] = []
        more = True
        while len(notifications) < self._batch_size:
            page = self._app.recorder.select_notifications(
                start=self._position, limit=self._page_size, inclusive_of_start=False
            )
            if page:
                notifications.extend(page)
                self._position = page[-1].id
            if len(page) < self._page_size:
                more = False
                break
        if not notifications:
            return None, False
        return prepare_batch(notifications, opener_of(self._app)), more

    def _produce(self) -> None:
        try:
            while not self._stop.is_set():
                batch, more = self._next_batch()
                if batch is not None:
                    self._put(batch)
                if not more:
                    break
            self._put(self._DONE)
        except BaseException as error:  # handed to the writer, which raises it
            self._put(error)

    def _put(self, item: Any) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return
            except queue.Full:
                continue
