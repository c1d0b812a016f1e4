"""The user register: who may act in this store, in which roles, and the refusals of who may act.

- :class:`UserRegister` is one aggregate with one fixed id (:data:`REGISTER_ID`): ``UserAdded``, ``RoleGranted``,
  ``RoleRevoked``, ``UserDisabled``. It stays small (a few events per user), so every command can replay it.
- :class:`Refusal` is a one-event aggregate per refused command (``CommandRefused``: who, which role was asked
  for or acted in, which command, why; *when* is the event's timestamp), whichever rule refused it: the role
  matrix, the register, the delegation order or four-eyes. Recording one needs no load and never conflicts,
  and the register's replay does not grow with refusals.

The register keeps its own consistency (a store starts with an administrator, nobody is added twice, the last
administrator cannot be removed) and resolves the acting user (:meth:`UserRegister.resolve`). *Which* role may
run *which* command is the role matrix's (``bistand_es.application.authorisation``); who may decide what is the
delegation order's (``bistand_es.domain.household.policy``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final
from uuid import NAMESPACE_URL, uuid4, uuid5

from eventsourcing.domain import Aggregate

from bistand_es.domain.errors import DomainRuleViolation, InvalidInput, NotAuthorised
from bistand_es.domain.moments import shown
from bistand_es.domain.records import Actor
from bistand_es.domain.vocabulary import ActorRole, parse_choice

_TOPIC_PREFIX: Final = "bistand_es.users:"

#: The one user register of a store.
REGISTER_ID: Final = uuid5(NAMESPACE_URL, "urn:bistand-es:user-register")

#: A user name: what a directory account name looks like (letters, digits, ``.``, ``_``, ``-``, ``@``).
USER_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MAX_REASON: Final = 400


def parse_user_name(text: str, field: str = "NAME") -> str:
    """A user name as stored: stripped; letters, digits, ``.``, ``_``, ``-``, ``@``; at most 100 characters."""
    name = text.strip()
    if not USER_NAME.match(name):
        raise InvalidInput(
            f"{field}: {name[:40]!r} is not a user name (1–100 letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit)"
        )
    return name


@dataclass(frozen=True, slots=True)
class User:
    """A registered user as the register now stands."""

    name: str
    roles: tuple[str, ...]
    disabled: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.name, "roles": ",".join(self.roles), "disabled": self.disabled}


class UserRegister(Aggregate):
    """The users of this store and their roles."""

    TOPIC = _TOPIC_PREFIX + "UserRegister"

    class Event(Aggregate.Event):
        actor: dict[str, str]

        def apply(self, aggregate: Any) -> None:
            register: UserRegister = aggregate
            register.on_event(self)

    class Started(Aggregate.Created, Event):
        TOPIC = _TOPIC_PREFIX + "Started"

    Created = Started

    class UserAdded(Event):
        TOPIC = _TOPIC_PREFIX + "UserAdded"
        name: str
        role: str

    class RoleGranted(Event):
        TOPIC = _TOPIC_PREFIX + "RoleGranted"
        name: str
        role: str

    class RoleRevoked(Event):
        TOPIC = _TOPIC_PREFIX + "RoleRevoked"
        name: str
        role: str

    class UserDisabled(Event):
        TOPIC = _TOPIC_PREFIX + "UserDisabled"
        name: str

    users: dict[str, User]

    @classmethod
    def start(cls, actor: Actor) -> UserRegister:
        """A new, empty register (saved together with its first user)."""
        return cls._create(cls.Started, id=REGISTER_ID, actor=actor.as_dict())

    def __init__(self) -> None:
        self.users = {}

    # ------------------------------------------------------------------ queries

    @property
    def is_empty(self) -> bool:
        return not self.users

    def get(self, name: str) -> User | None:
        return self.users.get(name)

    def administrators(self) -> list[str]:
        admin = ActorRole.ADMINISTRATOR.value
        return [u.name for u in self.users.values() if not u.disabled and admin in u.roles]

    def resolve(self, name: str, requested_role: str | None, *, need_role: bool) -> Actor | User:
        """The acting user, and the role they act in.

        Refused (``NotAuthorised``) for an unknown or disabled user and for a role that is not theirs. With no
        role asked for, a user with one role acts in it; a user with several must choose when ``need_role``
        (a command that records), and otherwise gets their :class:`User` back (a read needs no role).
        """
        user = self.users.get(name)
        if user is None:
            raise NotAuthorised(
                f"user {name!r} is not registered in this store; an administrator adds users "
                "(bistand users add NAME --role ROLE)"
            )
        if user.disabled:
            raise NotAuthorised(f"user {name!r} is disabled")
        if requested_role is not None:
            if requested_role not in user.roles:
                raise NotAuthorised(
                    f"{name} has no role {requested_role!r} (their roles: {', '.join(user.roles)}); "
                    "--actor-role/BISTAND_ROLE only chooses among your own roles"
                )
            return Actor(user=name, role=requested_role)
        if len(user.roles) == 1:
            return Actor(user=name, role=user.roles[0])
        if need_role:
            raise NotAuthorised(
                f"{name} has several roles ({', '.join(user.roles)}): choose one with --actor-role or BISTAND_ROLE"
            )
        return user

    # ------------------------------------------------------------------ commands

    def add(self, *, actor: Actor, name: str, role: str) -> None:
        """Add a user with a first role; the first user of a store must be an administrator."""
        name = parse_user_name(name)
        role = parse_choice(ActorRole, role, "--role").value
        if name in self.users:
            state = " (disabled; a name is never reused)" if self.users[name].disabled else ""
            raise DomainRuleViolation(f"user {name} is registered already{state}")
        if self.is_empty and role != ActorRole.ADMINISTRATOR.value:
            raise DomainRuleViolation(
                "the first user of a store must be an administrator: bistand users add NAME --role administrator"
            )
        self.trigger_event(self.UserAdded, actor=actor.as_dict(), name=name, role=role)

    def grant(self, *, actor: Actor, name: str, role: str) -> None:
        user = self._active(name)
        role = parse_choice(ActorRole, role, "ROLE").value
        if role in user.roles:
            raise DomainRuleViolation(f"{name} has the role {role} already")
        self.trigger_event(self.RoleGranted, actor=actor.as_dict(), name=name, role=role)

    def revoke(self, *, actor: Actor, name: str, role: str) -> None:
        user = self._active(name)
        role = parse_choice(ActorRole, role, "ROLE").value
        if role not in user.roles:
            raise DomainRuleViolation(f"{name} has no role {role} (their roles: {', '.join(user.roles)})")
        if len(user.roles) == 1:
            raise DomainRuleViolation(f"{role} is the only role of {name}: disable the user instead")
        if role == ActorRole.ADMINISTRATOR.value and self.administrators() == [name]:
            raise DomainRuleViolation(f"{name} is the last administrator; grant another user the role first")
        self.trigger_event(self.RoleRevoked, actor=actor.as_dict(), name=name, role=role)

    def disable(self, *, actor: Actor, name: str) -> None:
        self._active(name)
        if self.administrators() == [name]:
            raise DomainRuleViolation(f"{name} is the last administrator; grant another user the role first")
        self.trigger_event(self.UserDisabled, actor=actor.as_dict(), name=name)

    def _active(self, name: str) -> User:
        user = self.users.get(name)
        if user is None:
            raise DomainRuleViolation(f"user {name!r} is not registered")
        if user.disabled:
            raise DomainRuleViolation(f"user {name} is disabled")
        return user

    # ------------------------------------------------------------------ mutators (only assign)

    def on_event(self, event: Aggregate.Event) -> None:
        if isinstance(event, UserRegister.UserAdded):
            self.users[event.name] = User(event.name, (event.role,))
        elif isinstance(event, UserRegister.RoleGranted):
            user = self.users[event.name]
            self.users[event.name] = User(user.name, (*user.roles, event.role), user.disabled)
        elif isinstance(event, UserRegister.RoleRevoked):
            user = self.users[event.name]
            roles = tuple(r for r in user.roles if r != event.role)
            self.users[event.name] = User(user.name, roles, user.disabled)
        elif isinstance(event, UserRegister.UserDisabled):
            user = self.users[event.name]
            self.users[event.name] = User(user.name, user.roles, disabled=True)


class Refusal(Aggregate):
    """One refused command (role matrix, register, delegation order, four-eyes): recorded, never changed."""

    TOPIC = _TOPIC_PREFIX + "Refusal"

    class Event(Aggregate.Event):
        pass

    class CommandRefused(Aggregate.Created, Event):
        TOPIC = _TOPIC_PREFIX + "CommandRefused"
        user: str  # the user name the command ran under (BISTAND_USER or the OS login), registered or not
        role: str | None  # the role acted in, or asked for (--actor-role/BISTAND_ROLE) if it was refused
        command: str  # the command path, e.g. "decide" or "payments run" (never its arguments)
        reason: str

    Created = CommandRefused

    @classmethod
    def record(cls, *, user: str, role: str | None, command: str, reason: str) -> Refusal:
        return cls._create(
            cls.CommandRefused,
            id=uuid4(),
            user=user[:100],
            role=role[:40] if role else None,
            command=command[:100],
            reason=reason[:MAX_REASON],
        )

    def __init__(self, user: str, role: str | None, command: str, reason: str) -> None:
        self.user = user
        self.role = role
        self.command = command
        self.reason = reason


def refusal_row(event: Refusal.CommandRefused) -> dict[str, Any]:
    """A refusal as ``users log`` lists it."""
    return {
        "at": shown(event.timestamp),
        "user": event.user,
        "role": event.role or "",
        "command": event.command,
        "reason": event.reason,
    }
