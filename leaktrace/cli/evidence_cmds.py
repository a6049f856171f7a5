"""``leaktrace verify`` (an exported bundle, offline) and ``leaktrace evidence`` (the
installation's signing key, the stored logs recomputed, inclusion and consistency proofs).

Verifying answers with the exit code: 0 valid, 1 invalid (naming the first thing that
failed), in words or as JSON; a missing file or bad option is an error of the usual table
(:mod:`leaktrace.cli.exit_codes`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from leaktrace.cli.context import DbOption, FormatOption, open_context, out, require_file
from leaktrace.cli.output import Format, emit_json
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_log, evidence
from leaktrace.services.case_views import BundleVerification, LogVerification

__all__ = ["INVALID", "evidence_app", "register", "verify"]

INVALID = 1
"""The exit code of a bundle or log that does not verify."""

evidence_app = typer.Typer(help="The evidence logs: signing key, verification, proofs.")


def register(app: typer.Typer) -> None:
    """Add ``verify`` and ``evidence`` to ``app``."""
    app.command()(verify)
    app.add_typer(evidence_app, name="evidence")


def _text_only(fmt: Format) -> None:
    if fmt is Format.csv:
        raise typer.BadParameter("must be table or json here", param_hint="--format")


def verify(
    bundle: Annotated[Path, typer.Argument(help="The exported bundle (.zip).")],
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="An earlier bundle of the same case: check that this one extends it.",
            show_default=False,
        ),
    ] = None,
    expect_key: Annotated[
        str | None,
        typer.Option(
            "--expect-key",
            help="The signing key's fingerprint (from 'leaktrace evidence key'), obtained "
            "from the installation rather than from the bundle.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Verify an evidence bundle offline: entries, files, proofs and signature.

    Exit 0 when valid, 1 when not (naming what failed)."""
    _text_only(fmt)
    require_file(bundle)
    if against is not None:
        require_file(against)
    result = evidence.verify_bundle_file(bundle, against=against, expect_key=expect_key)
    if fmt is Format.json:
        emit_json(out, result.to_json())
    else:
        out.print(_bundle_text(result))
    if not result.ok:
        raise typer.Exit(INVALID)


def _bundle_text(result: BundleVerification) -> Text:
    text = Text()
    for check in result.checks:
        text.append("ok ", style="green")
        text.append(check + "\n")
    if result.ok:
        text.append(f"VALID: {result.bundle}", style="bold green")
        text.append(
            f"\nlog {result.log_id}, {result.tree_size} entries, root {result.root_hash}"
            f"\nsigned by key {result.key_fingerprint}; {result.files} files checked"
        )
    else:
        text.append(f"INVALID: {result.bundle}\n", style="bold red")
        text.append(result.problem or "the bundle does not verify")
    return text


@evidence_app.command("key")
def key(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Show the installation's signing key: name, fingerprint, public key (PEM).

    Give the fingerprint to whoever verifies a bundle ('leaktrace verify --expect-key')."""
    _text_only(fmt)
    with open_context(db) as ctx:
        view = evidence.evidence_key(ctx)
    if fmt is Format.json:
        emit_json(out, view.to_json())
        return
    out.print(Text(f"name        {view.key_name}\nfingerprint {view.fingerprint}\n"))
    out.file.write(
        view.public_key_pem if view.public_key_pem.endswith("\n") else view.public_key_pem + "\n"
    )


@evidence_app.command("verify")
def verify_logs(
    case: Annotated[
        int | None,
        typer.Option("--case", min=1, help="Only this case's log.", show_default=False),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Recompute the stored logs (leaf hashes, roots, signed tree heads).

    Exit 1 and name the first entry that does not match."""
    _text_only(fmt)
    with open_context(db) as ctx:
        result = evidence.verify_logs(ctx, local_operator(), case)
    if fmt is Format.json:
        emit_json(out, result.to_json())
    else:
        out.print(_logs_text(result))
    if not result.ok:
        raise typer.Exit(INVALID)


def _logs_text(result: LogVerification) -> Text:
    text = Text()
    summary = (
        f"{result.cases} case logs, {result.entries} entries, {result.tree_heads} signed "
        "tree heads recomputed"
    )
    if result.ok:
        text.append("VALID: ", style="bold green")
        text.append(summary)
        return text
    text.append("INVALID: ", style="bold red")
    text.append(summary)
    for problem in result.problems:
        where = "a tree head" if problem.seq is None else f"entry {problem.seq}"
        text.append(f"\ncase {problem.case_id}, {where}: {problem.reason}")
    return text


@evidence_app.command("proof")
def proof(
    case: Annotated[int, typer.Argument(min=1, help="The case id.", show_default=False)],
    index: Annotated[
        int | None,
        typer.Option(
            "--index", min=0, help="Inclusion proof of this entry (0-based).", show_default=False
        ),
    ] = None,
    consistency: Annotated[
        int | None,
        typer.Option(
            "--consistency",
            min=1,
            help="Consistency proof from this tree size.",
            show_default=False,
        ),
    ] = None,
    size: Annotated[
        int | None,
        typer.Option(
            "--size",
            min=1,
            help="Against this tree size (default: the latest).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Print an RFC 9162 inclusion or consistency proof as JSON.

    --index I: inclusion of entry I; --consistency OLD: from tree size OLD.

    Each comes with the signed tree head(s) it was computed against."""
    if (index is None) == (consistency is None):
        raise typer.BadParameter("give exactly one of --index and --consistency")
    with open_context(db) as ctx:
        if index is not None:
            view = case_log.inclusion_proof(ctx, local_operator(), case, index, size)
            emit_json(out, view.to_json())
        else:
            assert consistency is not None
            found = case_log.consistency_proof(ctx, local_operator(), case, consistency, size)
            emit_json(out, found.to_json())
