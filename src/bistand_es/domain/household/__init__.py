"""The household: one event-sourced aggregate per hushåll.

- :mod:`.events`: the stored schema (every event, its topic and version);
- :mod:`.aggregate`: :class:`Household`, its commands (validate, then record) and its mutators;
- :mod:`.policy`: pure checks shared by the aggregate and the application's previews (delegation, reasons,
  outcome, the försörjningsstöd part).

State records (members, applications …) are in :mod:`bistand_es.domain.records`.
"""

from bistand_es.domain.household.aggregate import Household
from bistand_es.domain.household.events import event_type_name

__all__ = ["Household", "event_type_name"]
