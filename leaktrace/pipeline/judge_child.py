"""The second process of a large file ingest (:class:`~leaktrace.pipeline.judging.ParallelJudge`):
reads its job (files, limits, the catalogue, the run) pickled from stdin, and writes one
frame per batch of feed items prepared to stdout, then ``None``; an error's text if it
fails."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from leaktrace.feeds.jsonl import read_feed
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.collector import fewer_collections
from leaktrace.pipeline.judging import prepared_frames, write_frame
from leaktrace.store.releases import ROW_TIMES


def main() -> None:
    out = sys.stdout.buffer
    try:
        job = pickle.load(sys.stdin.buffer)
        paths, max_name, batch_size, works, threshold, run_id, times = job
        assessor = Assessor(Matcher(works, threshold))
        entries = (entry for path in paths for entry in read_feed(Path(path), max_name))
        with fewer_collections():
            for frame in prepared_frames(entries, batch_size, assessor, run_id, ROW_TIMES[times]):
                write_frame(out, frame)
        write_frame(out, None)
    except BrokenPipeError:  # the ingest stopped reading: it is over
        return
    except Exception as exc:  # the ingest reads the rest itself
        write_frame(out, f"{type(exc).__name__}: {exc}")
    out.flush()


if __name__ == "__main__":
    main()
