"""``leaktrace notices``: contacts, drafting, review, recipient, marking and export from
the command line (the local operator), on the notice test world; refused, needs-contact
and skipped always printed; user mistakes as one line and an exit code, never a
traceback."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaktrace.config import load_settings
from leaktrace.services.context import build_context
from leaktrace.store.schema_notices import NOTICE_LOCATIONS, NOTICES
from tests.cli.conftest import Run
from tests.services import notice_world as w
from tests.services.test_notice_marking import as_sent


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for key, value in w.SENDER.items():
        monkeypatch.setenv(f"LEAKTRACE_NOTICES__SENDER__{key.upper()}", value)
    monkeypatch.setenv("LEAKTRACE_SWARM_KEY", w.SWARM_KEY)
    monkeypatch.delenv("LEAKTRACE_SWARM_KEY_FILE", raising=False)
    return w.world_copy(tmp_path / "db")


def drafted(run: Run, db: str, *args: str) -> dict[str, object]:
    result = run("notices", "draft", *args, "--format", "json", "--db", db)
    assert result.code == 0, result.err
    view = json.loads(result.out)
    assert isinstance(view, dict)
    return view


def test_draft_list_show_and_recipient(run: Run, db: str) -> None:
    table = run("notices", "draft", "--work", "northern", "--form", "dmca", "--db", db)
    assert table.code == 0, table.err
    assert "Drafted notices" in table.out and "cyberlock.example" in table.out
    for words in (
        f"refused {w.WITHHELD_DOWNLOADER}: downloader",
        f"refused {w.PRIVATE}: private-address",
        "refused htp:/broken url: bad-url",
        "needs a contact: nocontact.example",
        "7 drafted, 3 refused, 2 need a contact, 0 skipped, 0 for another form",
    ):
        assert words in table.err, table.err
    assert "192.0.2.50" not in table.out + table.err  # the downloader's address, never
    again = drafted(run, db, "--work", "northern", "--form", "dmca")
    assert again["notices"] == [] and len(again["skipped"]) == 8  # type: ignore[arg-type]
    again_table = run("notices", "draft", "--work", "northern", "--form", "dmca", "--db", db)
    assert f"skipped {w.CONTACT_EXACT}: already in open notice" in again_table.err

    listed = run("notices", "list", "--format", "json", "--db", db)
    rows = json.loads(listed.out)
    assert len(rows) == 7 and {r["status"] for r in rows} == {"drafted"}
    needing = next(r for r in rows if r["recipient_key"] == "nocontact.example")
    assert needing["needs_contact"] is True
    table_list = run("notices", "list", "--status", "drafted", "--db", db)
    assert "needs a contact" in table_list.out and "LT-N-" in table_list.out

    shown = run("notices", "show", str(needing["id"]), "--format", "json", "--db", db)
    view = json.loads(shown.out)
    assert view["location_list"][0]["url"] == w.NO_CONTACT and view["body"]
    text = run("notices", "show", str(needing["id"]), "--db", db)
    assert text.code == 0 and "Subject:" in text.out and w.NO_CONTACT in text.out
    assert "History" in text.out and "(needs a contact)" in text.out

    given = run(
        "notices", "recipient", str(needing["id"]), "--name", "NoContact Abuse",
        "--email", "abuse@nocontact.example", "--country", "SE", "--format", "json", "--db", db,
    )  # fmt: skip
    assert given.code == 0, given.err
    assert json.loads(given.out)["needs_contact"] is False


def test_a_peer_and_an_address_never_seen_print_the_same(run: Run, db: str) -> None:
    """The refusal of an IP address not known as a server is one and the same for a
    downloading peer and an address never seen (JSON and table, byte for byte), and the
    address is never printed: the command is no oracle over the swarm observations."""
    with build_context(load_settings(db=db)) as ctx:
        leak = str(w.leak_of(ctx, w.CONTACT_EXACT))
    outputs = []
    for address in ("192.0.2.50", w.NEVER_SEEN):
        url = f"http://{address}/film.mkv"
        # the JSON run drafts the leak's own location, the table run then skips it: the
        # same in both rounds (the notices are deleted after each)
        first = run("notices", "draft", "--leak", leak, "--url", url, "--form", "dsa",
                    "--format", "json", "--db", db)  # fmt: skip
        table = run("notices", "draft", "--leak", leak, "--url", url, "--form", "dsa", "--db", db)
        assert first.code == table.code == 0, first.err + table.err
        assert address not in first.out + first.err + table.out + table.err
        refused = json.loads(first.out)["refused"]
        assert refused == [
            {"url": "http://[address withheld]/film.mkv", "reason": "downloader",
             "detail": refused[0]["detail"]}
        ]  # fmt: skip
        outputs.append((json.dumps(refused), table.out, table.err))
        with build_context(load_settings(db=db)) as ctx, ctx.database.transaction() as conn:
            conn.execute(NOTICES.delete())
    assert outputs[0] == outputs[1]


def test_a_location_seen_again_is_not_counted_removed(run: Run, db: str) -> None:
    """`list` counts a removed location seen again since as not removed (as the figures
    do) and `show` says it was seen again."""
    view = drafted(run, db, "--host", "cyberlock.example", "--form", "dmca")
    notice = view["notices"][0]["id"]  # type: ignore[index]
    with build_context(load_settings(db=db)) as ctx:
        as_sent(ctx, notice)
    for url in (w.CONTACT_PARENT, w.CONTACT_PARENT_2):
        marked = run("notices", "mark", str(notice), "removed", "--location", url,
                     "--at", "2026-12-02T10:00:00Z", "--db", db)  # fmt: skip
        assert marked.code == 0, marked.err
    with build_context(load_settings(db=db)) as ctx, ctx.database.transaction() as conn:
        conn.execute(
            NOTICE_LOCATIONS.update()
            .where(NOTICE_LOCATIONS.c.url == w.CONTACT_PARENT)
            .values(seen_again_at=datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
        )
    rows = json.loads(run("notices", "list", "--format", "json", "--db", db).out)
    assert [(r["locations"], r["removed"]) for r in rows if r["id"] == notice] == [(2, 1)]
    shown = run("notices", "show", str(notice), "--db", db)
    assert "removed, seen again 2026-12-04T08:00:00Z" in " ".join(shown.out.split())


def test_contacts_commands(run: Run, db: str, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "host_or_domain,name,email,country\n"
        "nocontact.example,NoContact,abuse@nocontact.example,SE\n"
        "stream.test,Stream Test Legal,legal@stream.test,FR\n"
    )
    imported = run("notices", "contacts", "import", str(path), "--format", "json", "--db", db)
    assert imported.code == 0, imported.err
    view = json.loads(imported.out)
    assert (view["added"], view["total"]) == (1, 6)
    added = run(
        "notices", "contacts", "add", "AS64500", "--name", "AS Net", "--email", "abuse@as.example",
        "--form", "dsa", "--db", db,
    )  # fmt: skip
    assert added.code == 0 and "AS64500 (asn)" in added.out
    listed = json.loads(run("notices", "contacts", "list", "--format", "json", "--db", db).out)
    assert {c["match"]: c["origin"] for c in listed}["AS64500"] == "hand"
    table = run("notices", "contacts", "list", "--db", db)
    assert "nocontact.example" in table.out and "Answers for" in table.out
    # the contact now known: the draft goes to it
    view = drafted(run, db, "--host", "nocontact.example", "--form", "dmca")
    assert view["needs_contact"] == []
    assert view["notices"][0]["recipient_email"] == "abuse@nocontact.example"  # type: ignore[index]
    # a contact taking DSA notices only: a DMCA draft lists it, drafts nothing for it
    run("notices", "contacts", "add", "stream.test", "--name", "Stream Legal",
        "--email", "legal@stream.test", "--form", "dsa", "--db", db)  # fmt: skip
    other = run("notices", "draft", "--host", "stream.test", "--form", "dmca", "--db", db)
    assert other.code == 0, other.err
    assert (
        "not drafted for stream.test (Stream Legal): its contact takes DSA notices "
        "(1 location): draft them with --form dsa"
    ) in " ".join(other.err.split())
    assert "0 drafted, 0 refused, 0 need a contact, 0 skipped, 1 for another form" in other.err
    as_json = drafted(run, db, "--host", "stream.test", "--form", "dmca")
    assert as_json["other_form"] == [
        {"recipient_key": "stream.test", "recipient_name": "Stream Legal", "form": "dsa",
         "urls": [w.CONTACT_EXACT]}
    ]  # fmt: skip


def test_mark_and_export(run: Run, db: str, tmp_path: Path) -> None:
    view = drafted(run, db, "--host", "cyberlock.example", "--form", "dsa", "--language", "fr")
    notice = view["notices"][0]["id"]  # type: ignore[index]
    with build_context(load_settings(db=db)) as ctx:
        as_sent(ctx, notice)
    marked = run(
        "notices", "mark", str(notice), "removed", "--location", w.CONTACT_PARENT,
        "--at", "2026-12-02T10:00:00Z", "--note", "gone", "--db", db,
    )  # fmt: skip
    assert marked.code == 0, marked.err
    assert f"notice {notice} is acknowledged: 1 of 2 locations removed" in marked.err
    whole = run("notices", "mark", str(notice), "removed", "--format", "json", "--db", db)
    assert json.loads(whole.out)["status"] == "removed"

    for fmt, suffix in (("lumen", ".lumen.json"), ("eml", ".eml"), ("html", ".html")):
        folder = tmp_path / f"out-{fmt}"
        result = run(
            "notices", "export", "--all", "--format", fmt, "--out", str(folder), "--db", db
        )
        assert result.code == 0, result.err
        files = sorted(folder.iterdir())
        assert [f.name for f in files] == [f"LT-N-{notice:06d}{suffix}"]
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        assert result.out.strip() == str(files[0])
    lumen = json.loads((tmp_path / "out-lumen" / f"LT-N-{notice:06d}.lumen.json").read_text())
    assert "notice" in lumen
    assert w.CONTACT_PARENT in (tmp_path / "out-eml" / f"LT-N-{notice:06d}.eml").read_text()
    listed = run(
        "notices", "export", str(notice), "--format", "html", "--out", str(tmp_path / "one"),
        "--json", "--db", db,
    )  # fmt: skip
    assert json.loads(listed.out)["format"] == "html"


MISTAKES = [
    (("draft", "--form", "dmca"), 65, "give exactly one of"),
    (("draft", "--form", "dmca", "--work", "northern", "--leak", "1"), 65, "give exactly one"),
    (("draft", "--form", "dmca", "--host", "a.example", "--url", "https://a.example/x"), 65,
     "need a leak or a work"),
    (("draft", "--form", "dmca", "--since", "yesterday"), 65, "since"),
    (("draft", "--form", "dmca", "--work", "northern", "--language", "de"), 65, "language"),
    (("draft", "--form", "dmca", "--leak", "999"), 66, "no leak 999"),
    (("draft", "--form", "dmca", "--work", "nope"), 66, "no work 'nope'"),
    (("show", "999"), 66, "no notice 999"),
    (("mark", "999", "removed"), 66, "no notice 999"),
    (("mark", "1", "removed"), 73, "drafted: send it first"),
    (("mark", "1", "vanished"), 65, "unknown status"),
    (("mark", "1", "removed", "--at", "soon"), 65, "at"),
    (("recipient", "1", "--name", "X", "--email", "not-mail"), 65, "is not an e-mail address"),
    (("list", "--status", "lost"), 65, "unknown status"),
    (("export", "--format", "lumen", "--out", "x"), 65, "give notice ids or --all"),
    (("export", "1", "--all", "--out", "x"), 65, "give notice ids or --all"),
    (("export", "999", "--format", "eml", "--out", "x"), 66, "no notice 999"),
    (("contacts", "import", "/nonexistent/contacts.csv"), 65, "no such file"),
    (("contacts", "add", "not a host", "--name", "X", "--email", "x@y.example"), 65, ""),
]  # fmt: skip


def test_user_mistakes_are_one_line_and_an_exit_code(run: Run, db: str) -> None:
    drafted(run, db, "--host", "stream.test", "--form", "dmca")  # notice 1, drafted
    for args, code, words in MISTAKES:
        result = run("notices", *args, "--db", db)
        assert result.code == code, (args, result.err)
        assert result.err.startswith("error:") and words in result.err, (args, result.err)
        assert "Traceback" not in result.err + result.out


def test_help_lists_every_command(run: Run) -> None:
    result = run("notices", "--help")
    assert result.code == 0
    for command in ("contacts", "draft", "list", "show", "recipient", "mark", "export"):
        assert command in result.out


def test_the_help_lists_every_command_on_one_line() -> None:
    """`leaktrace notices --help`: each command's summary is one paragraph without a hard
    line break (Rich keeps them: the list read "... a host or / everything ..."), and the
    group's own help names every command."""
    import typer

    from leaktrace.cli.notice_cmds import app

    group = typer.main.get_command(app)
    names = sorted(group.commands)  # type: ignore[attr-defined]
    assert {"draft", "send", "track", "renotice", "stats", "export", "contacts"} <= set(names)
    for name in names:
        command = group.commands[name]  # type: ignore[attr-defined]
        first = (command.help or "").strip().split("\n\n")[0]
        assert first and "\n" not in first, (name, first)
        assert len(first) <= 90, (name, first)
        assert name in (group.help or ""), name
