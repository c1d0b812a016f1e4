"""The municipality's units for återsökning: ``BISTAND_HOME/units.yaml`` (a small, versioned file).

A municipal routine (Gislaved's "Rutin för att återsöka statlig ersättning från Migrationsverket") requires each
unit that may claim to state its target groups, the compensation types it claims, how evidence is collected and
kept, how a claim is filed, how it works with the finance officer (ekonom) and who is responsible. The file
holds those answers; ``bistand reimburse routine`` prints them, and a scan or filing of a type no unit is
responsible for warns. An example is in docs/reimbursement.md.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bistand_es.domain.errors import ConfigurationError, InvalidInput
from bistand_es.domain.rules.situation import describe_validation_error

FILE_NAME: Final = "units.yaml"
VERSION: Final = 1

Text = Annotated[str, Field(min_length=1, max_length=1000)]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_\-]+$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Unit(_Model):
    """One unit (enhet) and its answers to the routine's questions."""

    id: Name
    name: Text
    target_groups: Annotated[list[Text], Field(min_length=1)]  # målgrupper
    compensation_types: Annotated[list[Text], Field(min_length=1)]  # typer av statlig ersättning
    files: Text  # who files the claims (vem ansöker)
    responsible: Text  # who is responsible (ansvarig)
    evidence: Text | None = None  # how evidence is collected (hur underlag samlas in)
    documentation: Text | None = None  # how claims and evidence are documented and kept
    filing: Text | None = None  # how a claim is filed in practice
    finance: Text | None = None  # cooperation with the ekonom
    files_for: list[Name] = Field(default_factory=list)  # other units this unit files for


class UnitsFile(_Model):
    version: int
    units: list[Unit]


@dataclass(frozen=True)
class Units:
    """The loaded configuration (``path`` None: no file, so no unit is responsible for anything)."""

    units: tuple[Unit, ...]
    path: Path | None
    version: int = VERSION

    def unit(self, name: str) -> Unit:
        for unit in self.units:
            if unit.id == name:
                return unit
        known = ", ".join(u.id for u in self.units) or f"none: no {FILE_NAME} in BISTAND_HOME"
        raise InvalidInput(f"--unit: {name!r} is not a unit (known: {known})")

    def responsible_for(self, type_name: str) -> list[Unit]:
        return [u for u in self.units if type_name in u.compensation_types]

    def warnings(self, type_names: Collection[str]) -> list[str]:
        """One warning per type no unit is responsible for."""
        where = str(self.path) if self.path is not None else f"BISTAND_HOME/{FILE_NAME} (missing)"
        return [
            f"{name}: no unit is responsible for this compensation type in {where}; "
            "name one (docs/reimbursement.md) so that nobody forgets the deadline"
            for name in sorted(set(type_names))
            if not self.responsible_for(name)
        ]

    def check_types(self, known: Collection[str]) -> None:
        """Every type a unit names must be a compensation type of the rule set."""
        for index, unit in enumerate(self.units):
            for position, name in enumerate(unit.compensation_types):
                if name not in known:
                    raise ConfigurationError(
                        f"{self.path}: units[{index}].compensation_types[{position}]: {name!r} is not a "
                        f"compensation type (known: {', '.join(sorted(known))})"
                    )


def load_units(home: Path) -> Units:
    """``home/units.yaml``, validated; no file gives an empty configuration."""
    from bistand_es.domain.rules.loader import read_document, safe_load

    path = home / FILE_NAME
    if not path.is_file():
        return Units((), None)
    data = safe_load(read_document(path, str(path), error=ConfigurationError), str(path), error=ConfigurationError)
    try:
        parsed = UnitsFile.model_validate(data)
    except ValidationError as error:
        raise ConfigurationError(f"{path}: {describe_validation_error(error)}") from None
    if parsed.version != VERSION:
        raise ConfigurationError(f"{path}: version {parsed.version} is not known (this program reads {VERSION})")
    ids = [u.id for u in parsed.units]
    for index, name in enumerate(ids):
        if name in ids[:index]:
            raise ConfigurationError(f"{path}: units[{index}].id: {name!r} is used twice")
    for index, unit in enumerate(parsed.units):
        for other in unit.files_for:
            if other not in ids:
                raise ConfigurationError(f"{path}: units[{index}].files_for: {other!r} is not a unit")
    return Units(tuple(parsed.units), path, parsed.version)
