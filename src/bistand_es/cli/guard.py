"""The CLI's guard at the edge: limits checked on the raw arguments and environment, and the one-line error.

Every command passes through :func:`check_arguments` and :func:`check_environment` before click parses
anything, so no command needs its own check for these (docs/adr/0014-input-limits.md):

- every argument and ``BISTAND_*`` variable must be valid UTF-8 text (on Linux, click hands over bytes that
  are not UTF-8 as lone surrogates, which can be neither stored nor printed);
- free text (``--reason``, ``--source``, ``--label``, ``--note``) is at most :data:`MAX_TEXT_LENGTH` characters,
  and any other argument at most :data:`MAX_ARGUMENT_LENGTH`.

:func:`error_line` is the single form of an error on standard error: ``error: <message>`` on one line, cut to
:data:`MAX_ERROR_LENGTH` characters, with any personnummer masked and text that cannot be printed escaped.
This module imports nothing heavy: ``bistand --help`` loads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from bistand_es.domain.errors import InvalidInput

MAX_TEXT_LENGTH: Final = 1000
"""Free text a caseworker types (reason, source, label, note): at most 1 000 characters."""
MAX_ARGUMENT_LENGTH: Final = 20000
"""Any other single argument (a SQL query is the longest): at most 20 000 characters."""
MAX_ERROR_LENGTH: Final = 400
FREE_TEXT_OPTIONS: Final = ("--reason", "--source", "--label", "--note")
_ENVIRONMENT_PREFIX: Final = "BISTAND_"


def is_text(value: str) -> bool:
    """Whether ``value`` is valid Unicode text (no lone surrogates from undecodable bytes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(value: str, field: str, *, limit: int = MAX_TEXT_LENGTH) -> str:
    """Refuse text that is not valid UTF-8 or longer than ``limit`` characters; return it unchanged."""
    if not is_text(value):
        raise InvalidInput(f"{field}: contains bytes that are not UTF-8 text; type it again in UTF-8")
    if len(value) > limit:
        raise InvalidInput(f"{field}: {len(value)} characters is too long; at most {limit} characters")
    return value


def check_arguments(argv: Sequence[str]) -> None:
    """Check the raw command line before click parses it (``--reason TEXT`` and ``--reason=TEXT`` alike)."""
    previous = ""
    for position, argument in enumerate(argv, start=1):
        name, equals, inline = argument.partition("=")
        if argument.startswith("--") and equals and name in FREE_TEXT_OPTIONS:
            check_text(inline, name)
        elif previous in FREE_TEXT_OPTIONS:
            check_text(argument, previous)
        else:
            check_text(argument, f"argument {position}", limit=MAX_ARGUMENT_LENGTH)
        previous = argument


def check_environment(environ: Mapping[str, str]) -> None:
    """``BISTAND_*`` variables (home, database URL, user, role …) must be UTF-8 text of sensible length."""
    for name, value in environ.items():
        if name.startswith(_ENVIRONMENT_PREFIX):
            check_text(value, f"environment variable {name}", limit=MAX_ARGUMENT_LENGTH)


def error_line(message: str) -> str:
    """``error: <message>`` as one printable line (personnummer masked, long text cut)."""
    from bistand_es.domain.identifiers import mask_person_ids

    text = message.encode("utf-8", "backslashreplace").decode("utf-8")
    text = " ".join(text.split())
    text = mask_person_ids(text)
    if len(text) > MAX_ERROR_LENGTH:
        text = text[: MAX_ERROR_LENGTH - 1] + "…"
    return f"error: {text}"
