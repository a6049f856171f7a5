"""The mypyc-compiled parser (what an installation runs) reads every name exactly as its
Python source does, and the source is used whenever the compiled modules could be stale."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

import leaktrace.releases as releases
from leaktrace.releases import compiled
from leaktrace.releases.parser import _parse

HERE = Path(__file__).resolve().parent
_DUMP = """
import json, sys
from leaktrace.releases import compiled
from leaktrace.releases.parser import _parse
assert not compiled(), "LEAKTRACE_PURE_PYTHON should give the source modules"
for line in sys.stdin:
    print(json.dumps(_parse(json.loads(line)).to_dict(), ensure_ascii=False, sort_keys=True))
"""


def _names() -> list[str]:
    names: list[str] = []
    for path in sorted(HERE.glob("world_names*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                names.append(json.loads(line)["name"])
    rnd = random.Random(14)
    words = [w for name in names for w in name.replace("/", " ").replace(".", " ").split()]
    junk = ["", "\x00", "²", "٣", "𝟘", "Ⅻ", "\u200b", "../", "[", "]", "(", "-", "1x", "S0"]
    for _ in range(6000):
        parts = [rnd.choice(words + junk) for _ in range(rnd.randint(1, 10))]
        names.append(rnd.choice([".", " ", "-", "_", " / "]).join(parts))
    return names


@pytest.mark.skipif(
    not compiled(),
    reason="the parser is not compiled here (LEAKTRACE_PURE_PYTHON, or no C compiler)",
)
def test_compiled_and_source_parsers_agree_on_every_name() -> None:
    names = _names()
    env = {**os.environ, "LEAKTRACE_PURE_PYTHON": "1"}
    pure = subprocess.run(
        [sys.executable, "-c", _DUMP],
        input="".join(json.dumps(n) + "\n" for n in names),
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    ).stdout.splitlines()
    assert len(pure) == len(names)
    for name, expected in zip(names, pure, strict=True):
        got = json.dumps(_parse(name).to_dict(), ensure_ascii=False, sort_keys=True)
        assert got == expected, name


def test_sources_are_used_when_asked_or_newer_than_a_compiled_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "releases"
    package.mkdir()
    source = package / "parser.py"
    source.write_text("")
    binary = package / "parser.cpython-311-x86_64-linux-gnu.so"
    binary.write_bytes(b"")
    monkeypatch.setattr(releases, "_HERE", package)
    monkeypatch.setattr(releases, "_SUFFIXES", (".cpython-311-x86_64-linux-gnu.so",))
    monkeypatch.delenv("LEAKTRACE_PURE_PYTHON", raising=False)
    now = time.time()
    os.utime(source, (now - 60, now - 60))
    os.utime(binary, (now, now))
    assert not releases._stale_or_unwanted()  # compiled after its source: used
    os.utime(source, (now + 60, now + 60))
    assert releases._stale_or_unwanted()  # the source was edited since: the source
    os.utime(source, (now - 60, now - 60))
    monkeypatch.setenv("LEAKTRACE_PURE_PYTHON", "1")
    assert releases._stale_or_unwanted()


def test_the_source_finder_loads_only_this_packages_modules(tmp_path: Path) -> None:
    finder = releases._SourceFirst()
    spec = finder.find_spec("leaktrace.releases.parser")
    assert spec is not None and spec.origin is not None and spec.origin.endswith("parser.py")
    assert finder.find_spec("leaktrace.releases.no_such_module") is None
    assert finder.find_spec("leaktrace.matching.matcher") is None
    assert finder.find_spec("json") is None
