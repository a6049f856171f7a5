"""``python -m leaktrace`` = the ``leaktrace`` command."""

from leaktrace.cli.app import main

main()
