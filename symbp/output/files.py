"""Writing files: a page and its pictures, or a whole gallery, as one unit.

Every file is first written to a temporary beside its target; only when all of
them are on disk are they renamed into place, and a target that existed is kept
aside until the last rename has succeeded.  On any failure or interrupt the
temporaries are removed and the targets put back as they were, so a reader never
sees a page without its pictures, or half a gallery.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temporary(path: Path, data: bytes, mode: int) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp makes files only the owner can read: give the mode a plain open() gives
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_files(files: Mapping[Path, str | bytes]) -> None:
    """Write all the files or none of them (the folders they go into are made)."""
    mode = 0o666 & ~_umask()
    temporaries: dict[Path, Path] = {}
    kept: dict[Path, Path] = {}  # target -> the old file, moved aside
    placed: list[Path] = []
    made: list[Path] = []
    try:
        for path in files:
            if path.is_dir():
                raise IsADirectoryError(f"{path}: is a folder, not a file")
            for folder in reversed([path.parent, *path.parent.parents]):
                if not folder.exists():
                    folder.mkdir()
                    made.append(folder)
        for path, data in files.items():
            raw = data.encode("utf-8") if isinstance(data, str) else data
            temporaries[path] = _temporary(path, raw, mode)
        for path, tmp in temporaries.items():
            if path.exists():
                fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                            suffix=".old")
                os.close(fd)
                aside = Path(name)
                try:
                    os.replace(path, aside)
                except BaseException:
                    aside.unlink(missing_ok=True)
                    raise
                kept[path] = aside
            os.replace(tmp, path)
            placed.append(path)
    except BaseException:
        for path in placed:
            path.unlink(missing_ok=True)
        for path, aside in kept.items():
            os.replace(aside, path)
        for tmp in temporaries.values():
            tmp.unlink(missing_ok=True)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    for aside in kept.values():
        aside.unlink(missing_ok=True)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a whole file or nothing."""
    write_files({path: data})
