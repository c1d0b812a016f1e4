"""Tamper evidence below the domain: a hash chain per aggregate in the persistence mapping.

- :mod:`.chain`: what is hashed and where the chain fields live in the stored state;
- :mod:`.keys`: the optional audit key(s) that sign the chains (``BISTAND_AUDIT_KEY`` / ``BISTAND_AUDIT_KEY_FILE``);
- :mod:`.mapper`: the mapper and event store that write chains and refuse a broken history on load;
- :mod:`.auditor`: the auditor's full check of every chain, and anchors (chain heads kept outside the database).

See docs/adr/0020-tamper-evidence.md.
"""
