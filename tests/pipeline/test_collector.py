"""The cycle collector runs less often inside a bulk ingest and as before after it."""

from __future__ import annotations

import gc
import threading
import weakref

from leaktrace.pipeline.collector import fewer_collections


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_thresholds_are_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with fewer_collections(50_000):
        assert gc.get_threshold()[0] == max(50_000, before[0])
        with fewer_collections(50_000):  # nested: one setting
            assert gc.get_threshold()[0] == max(50_000, before[0])
        assert gc.get_threshold()[0] == max(50_000, before[0])  # still inside the outer
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_concurrent_users_restore_once_the_last_one_ends() -> None:
    before = gc.get_threshold()
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with fewer_collections():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with fewer_collections():
        thread.start()
        inside.wait(10)
    assert gc.get_threshold() != before  # the other ingest still runs
    release.set()
    thread.join(10)
    assert gc.get_threshold() == before


def test_cycles_are_still_collected() -> None:
    with fewer_collections():
        node = Node()
        gone = weakref.ref(node)
        del node
        gc.collect()
        assert gone() is None
