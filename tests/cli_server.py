"""``leaktrace`` for shell walk-throughs without paying Python's start-up per command.

A walk-through of the README runs a dozen ``leaktrace`` commands; each real process spends
about two seconds importing LeakTrace before it does anything. :func:`forking_leaktrace`
starts ONE server process that imports the command line once and forks a child per
command; it puts an executable ``leaktrace`` (a few lines of standard-library Python) in a
folder for the front of ``PATH``. The shim hands the server its arguments, working
directory, environment and its stdin/stdout/stderr (the file descriptors themselves, over a
Unix socket), and exits with the child's exit status. The child runs the same entry point
as the installed script (``leaktrace.cli.app:main``) in that directory, with that
environment, writing to those descriptors, then runs the exit handlers like a process
would. The shell script itself (variables, ``$(...)``, pipes, ``set -e``) runs unchanged in
bash.

What a fork cannot show is the start-up of a fresh interpreter (the entry point script, an
import that fails): tests that run the real ``leaktrace`` script cover it
(tests/cli/test_demo_cli.py, tests/cli/test_demo_serve.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# the server: run as ``python -c SERVER SOCKET``; one child per connection
SERVER = r"""
import atexit, json, os, signal, socket, struct, sys, threading

sys.path[0] = os.path.dirname(sys.executable)  # as the installed script's
import leaktrace.cli.app as cli

path = sys.argv[1]
assert threading.active_count() == 1, "no thread may run in a process that forks"
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
listener.listen(16)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
print("ready", flush=True)


def receive(conn, size):
    data = b""
    while len(data) < size:
        more = conn.recv(size - len(data))
        if not more:
            raise EOFError("the shim went away")
        data += more
    return data


def child(conn):
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the command may wait for its own
    header, fds, _flags, _addr = socket.recv_fds(conn, 4, 3)
    size = struct.unpack("!I", header + receive(conn, 4 - len(header)))[0]
    request = json.loads(receive(conn, size))
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["leaktrace", *request["argv"]]
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        conn.sendall(struct.pack("!i", code))
        os._exit(0)


while True:
    conn, _ = listener.accept()
    if os.fork() == 0:
        listener.close()
        try:
            child(conn)
        finally:
            os._exit(70)
    conn.close()
"""

# the shim: stdlib only, started with -SE (no site, no PYTHON* variables): ~20 ms
SHIM = r"""
import json, os, socket, struct, sys

conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
conn.connect({socket!r})
request = json.dumps(
    {{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}
).encode()
socket.send_fds(conn, [struct.pack("!I", len(request))], [0, 1, 2])
conn.sendall(request)
answer = b""
while len(answer) < 4:
    more = conn.recv(4 - len(answer))
    if not more:
        os._exit(70)  # the command's process died without an exit status
    answer += more
os._exit(struct.unpack("!i", answer)[0] & 0xFF)
"""


@contextmanager
def forking_leaktrace(folder: Path, env: dict[str, str]) -> Iterator[Path]:
    """A folder holding a ``leaktrace`` executable served by a forking server started
    with ``env`` (put the folder first on ``PATH``); the server is stopped on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    sockets = Path(tempfile.mkdtemp(prefix="lt-cli-"))  # a short path: AF_UNIX takes 107 bytes
    socket_path = sockets / "sock"
    log = folder / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(socket_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=sink,
            env=env,
            cwd=folder,
        )
    try:
        assert server.stdout is not None
        ready = server.stdout.readline()
        if ready.strip() != b"ready":
            server.wait(timeout=30)
            raise RuntimeError(f"the leaktrace server did not start: {log.read_text()[-3000:]}")
        shim = folder / "leaktrace"
        shim.write_text(
            f"#!{sys.executable} -SE\n" + SHIM.format(socket=str(socket_path)),
            encoding="utf-8",
        )
        shim.chmod(0o755)
        yield folder
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
        shutil.rmtree(sockets, ignore_errors=True)
