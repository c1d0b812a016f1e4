"""``python -m bistand_es.cli`` runs the ``bistand`` command."""

from bistand_es.cli.main import main

main()
