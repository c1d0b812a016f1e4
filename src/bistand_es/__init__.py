"""bistand_es: event-sourced ekonomiskt bistånd with rules as code.

Nothing is imported here on purpose: the CLI must start fast (see docs/adr/0006-fast-start.md).
"""

__version__ = "0.1.0"
