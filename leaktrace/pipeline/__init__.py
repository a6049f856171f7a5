"""The flows that tie the library together: ingest feeds, import catalogues, reassess."""

from leaktrace.pipeline.assess import Assessor, Outcome
from leaktrace.pipeline.ingest import IngestReport, ingest_files, ingest_items

__all__ = ["Assessor", "IngestReport", "Outcome", "ingest_files", "ingest_items"]
