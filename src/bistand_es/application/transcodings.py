"""JSON transcodings for the value types stored in events (the library knows UUID, Decimal, datetime)."""

from __future__ import annotations

from datetime import date

from eventsourcing.persistence import Transcoding

from bistand_es.domain.month import Month


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class MonthAsStr(Transcoding):
    type = Month
    name = "month"

    def encode(self, obj: Month) -> str:
        return str(obj)

    def decode(self, data: str) -> Month:
        return Month.parse(data)
