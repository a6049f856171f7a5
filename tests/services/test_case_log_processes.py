"""Several PROCESSES append to one case's log at once (SQLite and PostgreSQL): the entries
get the seqs 0..n-1 with no gap and no duplicate, every process's entries are there, a
signed head follows every entry and ``evidence verify`` finds nothing wrong.

The per-process Merkle tree that case_log keeps between appends is exactly what another
process invalidates: each must notice that the log grew behind it. Each worker is a
separate Python process (``python -c``) that waits for a go-file, so they really overlap.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_log
from leaktrace.services.context import build_context
from leaktrace.services.evidence import verify_logs
from leaktrace.store import evidence_log as log_store
from tests.services.test_case_log import make_case

WORKERS = 4
APPENDS = 12

WORKER = """
import sys, time
from pathlib import Path
from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_log
from leaktrace.services.case_access import CaseAccess
from leaktrace.services.context import build_context

db, case_id, log_id, owner, name, count, folder = sys.argv[1:]
case = CaseAccess(case_id=int(case_id), log_id=log_id, title="t", status="open",
                  owner_agency_id=int(owner), role="operator")
with build_context(load_settings(db=db)) as ctx:
    case_log.signing_key(ctx)  # loaded before the race, as a server would
    (Path(folder) / f"ready-{name}").touch()
    while not (Path(folder) / "go").exists():
        time.sleep(0.01)
    for n in range(int(count)):
        with case_log.writing(ctx) as conn:
            case_log.append_event(conn, ctx, case, local_operator(), "note.added",
                                  {"text": f"{name}-{n}"})
"""


def _race(db: str, tmp_path: Path) -> None:
    with build_context(load_settings(db=db)) as ctx:
        case = make_case(ctx)
        case_log.signing_key(ctx)  # the installation's key exists before the workers start
    folder = tmp_path / "race"
    folder.mkdir()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                db,
                str(case.case_id),
                case.log_id,
                str(case.owner_agency_id),
                f"w{n}",
                str(APPENDS),
                str(folder),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    try:
        while len(list(folder.glob("ready-*"))) < WORKERS:
            if any(w.poll() is not None for w in workers):
                break  # one died early: its stderr says why
            time.sleep(0.05)
        (folder / "go").touch()
        errors = [w.communicate(timeout=300)[1] for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    assert [w.returncode for w in workers] == [0] * WORKERS, "\n".join(errors)

    total = WORKERS * APPENDS
    with build_context(load_settings(db=db)) as ctx:
        with ctx.database.reading() as conn:
            entries = log_store.entries(conn, case.case_id)
            heads = log_store.tree_heads(conn, case.case_id)
        assert [e.seq for e in entries] == list(range(total))
        assert [h.tree_size for h in heads] == list(range(1, total + 1))
        texts = [json.loads(e.entry)["data"]["text"] for e in entries]
        assert len(set(texts)) == total
        assert Counter(t.split("-")[0] for t in texts) == {f"w{n}": APPENDS for n in range(WORKERS)}
        report = verify_logs(ctx, local_operator(), case.case_id)
        assert report.ok, report.problems
        assert (report.entries, report.tree_heads) == (total, total)


def test_processes_appending_to_one_case_on_sqlite(tmp_path: Path) -> None:
    _race(str(tmp_path / "race.db"), tmp_path)


def test_processes_appending_to_one_case_on_postgresql(
    postgres_database: str, tmp_path: Path
) -> None:
    _race(postgres_database, tmp_path)
