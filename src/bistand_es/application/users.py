"""Use cases of the user register: add users, grant and revoke roles, disable, list; record and list refusals.

The register lives in the same event store as the households (one aggregate, fixed id), so a backup of the store
is a backup of who may act in it. Who may *run* these commands is the role matrix's (administrator only, except
the bootstrap: on a store with no users, the first ``users add NAME --role administrator``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, RecordConflictError

from bistand_es.domain.errors import ConcurrentChange
from bistand_es.domain.records import Actor
from bistand_es.domain.users import REGISTER_ID, Refusal, UserRegister, refusal_row


def load_register(app: Application[UUID]) -> UserRegister | None:
    """The store's user register, or None before the first user is added."""
    try:
        register: object = app.repository.get(REGISTER_ID)
    except AggregateNotFoundError:
        return None
    if not isinstance(register, UserRegister):  # pragma: no cover - the id is namespaced
        return None
    return register


def _change(app: Application[UUID], actor: Actor, command: Callable[[UserRegister], None]) -> int:
    """Run one register command and save it; returns the position of the last event recorded."""
    register = load_register(app) or UserRegister.start(actor)
    command(register)
    try:
        recordings = app.save(register)
    except (IntegrityError, RecordConflictError):
        raise ConcurrentChange("(user register)", "the user register changed since it was read — retry") from None
    return recordings[-1].notification.id if recordings else 0


def add_user(app: Application[UUID], *, actor: Actor, name: str, role: str) -> int:
    return _change(app, actor, lambda r: r.add(actor=actor, name=name, role=role))


def grant_role(app: Application[UUID], *, actor: Actor, name: str, role: str) -> int:
    return _change(app, actor, lambda r: r.grant(actor=actor, name=name, role=role))


def revoke_role(app: Application[UUID], *, actor: Actor, name: str, role: str) -> int:
    return _change(app, actor, lambda r: r.revoke(actor=actor, name=name, role=role))


def disable_user(app: Application[UUID], *, actor: Actor, name: str) -> int:
    return _change(app, actor, lambda r: r.disable(actor=actor, name=name))


def list_users(app: Application[UUID]) -> list[dict[str, Any]]:
    register = load_register(app)
    if register is None:
        return []
    return [register.users[name].as_dict() for name in sorted(register.users)]


def record_refusal(app: Application[UUID], *, user: str, role: str | None, command: str, reason: str) -> int:
    """Record a refused command (its own small aggregate: never conflicts). Called by ``cli/access.py`` only."""
    recordings = app.save(Refusal.record(user=user, role=role, command=command, reason=reason))
    return recordings[-1].notification.id if recordings else 0


def list_refusals(app: Application[UUID], *, page: int = 1000) -> list[dict[str, Any]]:
    """Every refusal in the order recorded."""
    rows: list[dict[str, Any]] = []
    start: int | None = None
    while True:
        notifications = app.recorder.select_notifications(
            start=start, limit=page, topics=(Refusal.CommandRefused.TOPIC,), inclusive_of_start=False
        )
        for notification in notifications:
            event = app.mapper.to_domain_event(notification)
            if isinstance(event, Refusal.CommandRefused):
                rows.append(refusal_row(event))
        if len(notifications) < page:
            return rows
        start = notifications[-1].id
