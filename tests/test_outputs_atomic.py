"""A page and its pictures, and a whole gallery, are written as one unit.

Failures are injected where writing really fails (a rename refused by the operating
system, an interrupt between two files) and with real signals sent to a running
command; afterwards the folder must hold exactly what it held before, and no
temporary file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symbp import cli
from symbp.output import files

from conftest import EXAMPLES, ROOT

SEED = EXAMPLES / "seed004_sigmoid_2-2-2.yaml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_page_and_its_pictures_land_together(tmp_path):
    assert cli.main(["derive", str(SEED), "-o", str(tmp_path / "p.md")]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "p.md" in names and "p.network.svg" in names and len(names) >= 3
    assert all((tmp_path / n).stat().st_mode & 0o777 == 0o666 & ~_umask() for n in names)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("failing_call", [1, 3, 5])
def test_a_refused_rename_leaves_the_folder_as_it_was(tmp_path, monkeypatch, capsys,
                                                      failing_call):
    page = tmp_path / "p.md"
    assert cli.main(["derive", str(SEED), "-o", str(page)]) == 0
    before = snapshot(tmp_path)
    real, calls = os.replace, []

    def refusing(src, dst):
        calls.append(dst)
        if len(calls) == failing_call:
            raise PermissionError(13, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", refusing)
    # a different view: every file would change
    status = cli.main(["derive", str(SEED), "-o", str(page), "--view", "all"])
    monkeypatch.undo()
    assert status == 2
    err = capsys.readouterr().err
    assert "Permission denied" in err and "nothing was written" in err
    assert "Traceback" not in err
    assert snapshot(tmp_path) == before  # the old page and pictures, no temporaries


def test_an_interrupt_between_two_files_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    real, count = files._temporary, []

    def interrupted(path, data, mode):
        count.append(path)
        if len(count) == 4:
            raise KeyboardInterrupt
        return real(path, data, mode)

    monkeypatch.setattr(files, "_temporary", interrupted)
    status = cli.main(["gallery", str(EXAMPLES), "-o", str(tmp_path / "out"), "--no-pdf"])
    assert status == 130
    assert "interrupted; nothing was written" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # the folder it made is gone too
    assert list(tmp_path.iterdir()) == []


def test_a_folder_in_the_way_is_refused_before_anything_is_written(tmp_path, capsys):
    (tmp_path / "p.network.svg").mkdir()
    assert cli.main(["derive", str(SEED), "-o", str(tmp_path / "p.md")]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.network.svg"]


def test_output_into_a_folder_names_the_file_after_the_spec(tmp_path):
    assert cli.main(["derive", str(SEED), "-o", f"{tmp_path}/", "--format", "json"]) == 0
    assert (tmp_path / "seed004_sigmoid_2-2-2.json").is_file()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_a_running_gallery_leaves_the_old_folder(tmp_path, sig):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("a file of the user's\n")
    (out / "seed000_linear_2-2-1.json").write_text("old\n")
    before = snapshot(out)
    proc = subprocess.Popen([sys.executable, "-m", "symbp", "gallery", str(EXAMPLES), "-o",
                             str(out), "--no-pdf"], cwd=ROOT, stderr=subprocess.PIPE,
                            text=True)
    # wait until it has derived the first example, then signal it
    first = proc.stderr.readline()
    assert "[1/" in first, first
    time.sleep(0.2)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert snapshot(out) == before
