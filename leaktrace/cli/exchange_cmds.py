"""``leaktrace exchange``: share intelligence with partner agencies (STIX 2.1 / TAXII 2.1).

``exchange collection add|set|list`` (administrators: collections and which agencies read
and write them), ``exchange publish`` (a case, a group, a country's targets or all leaks,
under TLP 2.0 and SIENA handling markings), ``exchange export`` (a STIX bundle or a MISP
event in a file), and the inbound commands of :mod:`leaktrace.cli.exchange_inbound_cmds`
(``pull``, ``push``, ``import``).
"""

from __future__ import annotations

import typer

from leaktrace.cli import exchange_inbound_cmds

__all__ = ["app", "collection_app"]

app = typer.Typer(
    help="Share intelligence with partner agencies: STIX 2.1 objects in TAXII 2.1 "
    "collections, under TLP 2.0 and SIENA handling codes.",
    no_args_is_help=True,
)
collection_app = typer.Typer(
    help="TAXII collections and the agencies that may read and write them.",
    no_args_is_help=True,
)
app.add_typer(collection_app, name="collection")

exchange_inbound_cmds.register(app)
