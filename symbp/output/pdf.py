"""Compile LaTeX to PDF with a real TeX engine: pdflatex for English, xelatex for Chinese."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


class TexError(RuntimeError):
    """The TeX engine failed; the message carries the log's error lines."""


def engine_for(lang: str) -> str:
    return "xelatex" if lang == "zh" else "pdflatex"


def available(engine: str) -> bool:
    return shutil.which(engine) is not None


def compile_pdf(source: str, engine: str, runs: int = 2) -> bytes:
    """The PDF of a standalone LaTeX document, compiled in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="symbp-tex-") as tmp:
        work = Path(tmp)
        (work / "doc.tex").write_text(source, encoding="utf-8")
        for _ in range(runs):
            result = subprocess.run(
                [engine, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                cwd=work, capture_output=True, text=True, errors="replace", timeout=300,
            )
            if result.returncode != 0:
                log = (work / "doc.log").read_text(errors="replace") if (
                    work / "doc.log").exists() else result.stdout
                errors = [line for line in log.splitlines() if line.startswith("!")]
                context = "\n".join(errors[:5]) or log[-2000:]
                raise TexError(f"{engine} failed:\n{context}")
        return (work / "doc.pdf").read_bytes()


def compile_log(source: str, engine: str, inputs: dict[str, str] | None = None) -> str:
    """The log of one run of ``engine`` over a document and the files it ``\\input``s
    (``inputs``: name -> text), writing no PDF: what a check of the layout reads."""
    draft = "-no-pdf" if engine == "xelatex" else "-draftmode"
    with tempfile.TemporaryDirectory(prefix="symbp-tex-") as tmp:
        work = Path(tmp)
        for name, text in (inputs or {}).items():
            (work / name).write_text(text, encoding="utf-8")
        (work / "doc.tex").write_text(source, encoding="utf-8")
        result = subprocess.run(
            [engine, "-interaction=nonstopmode", "-halt-on-error", draft, "doc.tex"],
            cwd=work, capture_output=True, text=True, errors="replace", timeout=600,
        )
        log = (work / "doc.log").read_text(errors="replace") if (
            work / "doc.log").exists() else result.stdout
        if result.returncode != 0:
            errors = [line for line in log.splitlines() if line.startswith("!")]
            raise TexError(f"{engine} failed:\n" + ("\n".join(errors[:5]) or log[-2000:]))
        return log
