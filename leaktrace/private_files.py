"""Files LeakTrace writes for its user are readable by that user only.

Reports, target sheets and graphs name servers, groups and evidence; they leave the machine
only when their owner chooses to share them. Each is written to a temporary file in the same
folder (``mkstemp`` creates it with mode 0600 whatever the umask) and moved into place, so
a reader never sees half a file and a failure leaves the old one as it was. Folders that
LeakTrace creates for them are 0700; existing files and folders keep their mode until
replaced.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from leaktrace.errors import InputError

__all__ = ["FILE_MODE", "FOLDER_MODE", "make_private_folder", "write_private_text"]

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` (and missing parents) with mode 0700; OS errors name the folder."""
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the folder: {exc.strerror or exc}", file=str(folder)
        ) from None


def write_private_text(path: Path, text: str, *, what: str = "the file") -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically with mode 0600; the path written.

    Raises :class:`InputError` naming the file when it cannot be written (``what`` says
    what it was meant to be: "the report")."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise InputError("is a directory, expected a file name", file=str(target))
    make_private_folder(target.parent)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write {what}: {exc.strerror or exc}", file=str(target)) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"cannot write {what}: {exc.strerror or exc}", file=str(target)) from None
    return target
