"""``leaktrace verify`` (an exported bundle, offline) and ``leaktrace evidence`` (the
installation's signing key, the stored logs recomputed, inclusion and consistency proofs,
RFC 3161 time-stamps asked for again where they failed).

Verifying answers with the exit code: 0 valid, 1 invalid (naming the first thing that
failed), in words or as JSON; a missing file or bad option is an error of the usual table
(:mod:`leaktrace.cli.exit_codes`: 65 bad input, 2 usage). These commands write
text or JSON only (their ``--format`` offers no CSV).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from leaktrace.cli.context import DbOption, open_context, out, require_file
from leaktrace.cli.output import emit_json
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_log
from leaktrace.services.case_views import BundleVerification, LogVerification

if TYPE_CHECKING:
    from leaktrace.services.evidence import StampReport

__all__ = ["INVALID", "KEY_NOT_CHECKED", "evidence_app", "register", "verify"]

INVALID = 1
"""The exit code of a bundle or log that does not verify."""
KEY_NOT_CHECKED = (
    "WARNING: the signing key was NOT checked against a published fingerprint: anyone "
    "can sign a bundle with a key of their own (use --expect-key FINGERPRINT, from "
    "'leaktrace evidence key' of the installation)"
)
"""Said after a valid bundle verified without ``--expect-key``."""


class ReportFormat(StrEnum):
    """The formats of a verification or key report (no CSV: they are not tables)."""

    table = "table"
    json = "json"


ReportFormatOption = Annotated[
    ReportFormat,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]

evidence_app = typer.Typer(help="The evidence logs: signing key, verification, proofs.")


def register(app: typer.Typer) -> None:
    """Add ``verify`` and ``evidence`` (key, verify, proof, stamp) to ``app``."""
    app.command()(verify)
    app.add_typer(evidence_app, name="evidence")


def require_bundle(path: Path) -> None:
    """A clear error unless ``path`` is a bundle to read: a zip file or an unpacked folder."""
    if not path.is_dir():
        require_file(path)


def verify(
    bundle: Annotated[
        Path,
        typer.Argument(help="The exported bundle: the .zip, or the folder it was unpacked to."),
    ],
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="An earlier bundle (zip or folder) of the same case: check that this one "
            "extends it.",
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
    tsa_certificate: Annotated[
        Path | None,
        typer.Option(
            "--tsa-certificate",
            help="The time-stamping authority's certificate, then its issuers (PEM): "
            "also check that it signed the bundle's RFC 3161 time-stamps.",
            show_default=False,
        ),
    ] = None,
    fmt: ReportFormatOption = ReportFormat.table,
) -> None:
    """Verify an evidence bundle offline: entries, files, proofs, signatures and
    time-stamps. Without --expect-key the signing key is not checked against the
    installation's published fingerprint (the report warns).

    Exit status: 0 valid, 1 invalid (what failed is named).

    Other errors have the usual codes: 65 a missing or unreadable file, 2 usage."""
    require_bundle(bundle)
    if against is not None:
        require_bundle(against)
    from leaktrace.services import evidence  # loads cryptography: only when verifying

    result = evidence.verify_bundle_file(
        bundle, against=against, expect_key=expect_key, tsa_certificate=tsa_certificate
    )
    _report(result, fmt, lambda: _bundle_text(result, key_checked=expect_key is not None))


def _report(
    result: BundleVerification | LogVerification | StampReport,
    fmt: ReportFormat,
    text: Callable[[], Text],
) -> None:
    """Print a check's result as JSON or in words, and exit 1 when it did not pass."""
    if fmt is ReportFormat.json:
        emit_json(out, result.to_json())
    else:
        out.print(text())
    if not result.ok:
        raise typer.Exit(INVALID)


def _bundle_text(result: BundleVerification, *, key_checked: bool) -> Text:
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
        if not key_checked:
            text.append(f"\n{KEY_NOT_CHECKED}", style="bold yellow")
    else:
        text.append(f"INVALID: {result.bundle}\n", style="bold red")
        text.append(result.problem or "the bundle does not verify")
    return text


@evidence_app.command("key")
def key(db: DbOption = None, fmt: ReportFormatOption = ReportFormat.table) -> None:
    """Show the installation's signing key: name, fingerprint, public key (PEM).

    Give the fingerprint to whoever verifies a bundle ('leaktrace verify --expect-key')."""
    from leaktrace.services import evidence  # loads cryptography: only when used

    with open_context(db) as ctx:
        view = evidence.evidence_key(ctx)
    if fmt is ReportFormat.json:
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
    fmt: ReportFormatOption = ReportFormat.table,
) -> None:
    """Recompute the stored logs (leaf hashes, roots, signed tree heads).

    Exit status: 0 valid, 1 invalid (the first entry that does not match is named).

    Other errors have the usual codes: 66 no such case, 2 usage."""
    from leaktrace.services import evidence  # loads cryptography: only when used

    with open_context(db) as ctx:
        result = evidence.verify_logs(ctx, local_operator(), case)
    _report(result, fmt, lambda: _logs_text(result))


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


@evidence_app.command("stamp")
def stamp(
    case: Annotated[
        int | None,
        typer.Option("--case", min=1, help="Only this case's log.", show_default=False),
    ] = None,
    db: DbOption = None,
    fmt: ReportFormatOption = ReportFormat.table,
) -> None:
    """Ask the time-stamping authority (evidence.tsa_url) again for an RFC 3161 time-stamp
    of every signed tree head that has none (its request failed), oldest first.

    Run it again later (or from cron) until none is pending.

    Exit status: 0 none pending, 1 some pending (the failure is named), 78 no authority."""
    from leaktrace.services import evidence  # loads cryptography: only when used

    with open_context(db) as ctx:
        report = evidence.stamp_pending(ctx, local_operator(), case)
    _report(report, fmt, lambda: _stamp_text(report))


def _stamp_text(report: StampReport) -> Text:
    text = Text()
    for head in report.stamped:
        text.append("ok ", style="green")
        text.append(
            f"case {head.case_id}, tree head {head.tree_size}: time-stamped {head.gen_time}\n"
        )
    summary = (
        f"{len(report.stamped)} tree heads time-stamped at {report.tsa_url} "
        f"({report.cases} case logs looked at)"
    )
    if report.ok:
        text.append("DONE: ", style="bold green")
        text.append(f"{summary}; none pending")
        return text
    text.append("PENDING: ", style="bold red")
    text.append(f"{summary}; {report.pending} still without a time-stamp")
    text.append(f"\n{report.problem or 'the authority did not answer'}")
    return text
