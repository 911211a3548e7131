"""Benchmark of the build and the suite against their floor (``make bench``; not part of ``make test``).

Measured in one run on one machine, each several times (minimum and median reported):

- the cold book build (notebooks executed on all cores, then the strict Jupyter Book build) against the *floor*: a
  generated book with as many notebooks, each running only the import statements the chapters run, built the same
  way; both split into their two steps (executing the notebooks; Sphinx);
- the same cold build with one notebook at a time (serial), which the parallel build must beat;
- the rebuild after one CSV changes, against the cold build;
- the notebook part of ``make test`` (strict nbval over chapters/) against nbval over the floor notebooks;
- each chapter notebook's execution time against a bare kernel's (an empty notebook's) start-up, with the number
  of figures it renders (matplotlib takes about a quarter of a second a figure here);
- two bounds that no work on the notebooks' own computation can beat: one floor notebook alone (the imports
  only) against a bare kernel, and the floor's execution plus this book's own Sphinx build (what the cold build
  would take if every notebook ran only its imports) against the floor;
- once, the whole ``make test`` suite (after installation), against its two-minute target.

Everything runs in temporary copies, so the repository is not touched. Results go to ``benchmark.md``.
"""

from __future__ import annotations

import argparse
import ast
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from llmecon.data import report_root
from llmecon.run import execute_notebook

BIN = Path(sys.executable).parent
TARGETS = {"book": 1.3, "notebook": 3.0, "suite": 120}  # cold book / floor; notebook / bare kernel; make test (s)


def chapter_imports(chapters: list[Path]) -> str:
    """Every import statement the chapters' code cells run, once each, in a stable order: the floor's one cell."""
    statements = set()
    for path in chapters:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                statements |= {ast.unparse(node) for node in ast.walk(ast.parse(cell.source))
                               if isinstance(node, (ast.Import, ast.ImportFrom))}
    return "\n".join(sorted(statements))


def figures_rendered(path: Path) -> int:
    """How many figures a notebook publishes (calls of ``publish_figure`` in its code cells)."""
    return sum(cell.source.count("publish_figure(") for cell in nbformat.read(path, as_version=4).cells
               if cell.cell_type == "code")


def _timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def build(book: Path, jobs: int, everything: bool = True) -> tuple[float, float]:
    """Seconds for each of ``make book``'s two steps in ``book``: executing the notebooks (all of them, or with
    ``everything=False`` only those whose inputs changed, as ``make book`` does), then the strict clean build."""
    shutil.rmtree(book / "_build", ignore_errors=True)
    which = [] if everything else ["--changed-only"]
    execute = _timed([str(BIN / "python"), "-m", "llmecon.run", *which, "--jobs", str(jobs),
                      *sorted(str(p) for p in (book / "chapters").glob("*.ipynb"))], book)
    return execute, _timed([str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"], book)


def change_one_csv(path: Path) -> None:
    """Change one cell of a table (the first row's notes), as an analyst's edit would: bytes change, values stay valid."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[0]["notes"] = (rows[0]["notes"] or "") + " (edited by make bench)"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def copy_report(target: Path) -> Path:
    """A copy of the report as a fresh clone would have it: the files git tracks (no caches, no built site)."""
    root = report_root()
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=root, check=True, capture_output=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (root / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target / name)
    return target


def floor_book(target: Path, chapters: list[Path]) -> Path:
    """A book with the report's configuration and as many notebooks as ``chapters``, each running only the import
    statements the chapters run."""
    imports = chapter_imports(chapters)
    copy_report(target)
    shutil.rmtree(target / "chapters")
    (target / "chapters").mkdir()
    names = [f"floor{i}" for i in range(len(chapters))]
    for name in names:
        notebook = new_notebook(cells=[new_markdown_cell(f"# {name}"), new_code_cell(imports)])
        nbformat.write(notebook, target / "chapters" / f"{name}.ipynb")
    (target / "chapters" / "intro.md").write_text("# Floor\n")
    toc = "format: jb-book\nroot: chapters/intro\nchapters:\n" + "".join(f"  - file: chapters/{n}\n" for n in names)
    (target / "_toc.yml").write_text(toc)
    return target


def nbval_seconds(book: Path) -> float:
    """Seconds for strict nbval over the book's notebooks, as ``make test`` runs it."""
    return _timed([str(BIN / "python"), "-m", "pytest", "chapters", "-q", "-p", "no:cacheprovider"], book)


def python_loop_seconds() -> float:
    """Seconds for ten million additions in a pure Python loop: how fast this machine was during the run (these
    2-core virtual machines vary by half from hour to hour), so that runs on different days can be compared."""
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def summary(values: list[float]) -> str:
    return f"min {min(values):.1f} s, median {statistics.median(values):.1f} s"


def suite_seconds(book: Path) -> float:
    """Seconds for the whole suite as ``make test`` runs it (on every core), in the copy ``book``; raises with the
    suite's report if it fails."""
    start = time.perf_counter()
    run = subprocess.run([str(BIN / "python"), "-m", "pytest", "-q"], cwd=book, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"the suite failed in {book}:\n{run.stdout[-4000:]}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(report_root() / "benchmark.md"))
    args = parser.parse_args(argv)
    jobs = os.cpu_count() or 1
    chapters = sorted((report_root() / "chapters").glob("*.ipynb"))
    steps = {key: [] for key in ("cold", "floor", "serial", "rebuild")}  # (execute, sphinx) seconds per run
    results = {key: [] for key in ("nbval", "nbval_floor", "bare", "imports_only", "loop")}
    per_notebook = {p.name: [] for p in chapters}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        suite = suite_seconds(copy_report(tmp / "suite"))  # first: a failing suite stops the benchmark at once
        floor = floor_book(tmp / "floor", chapters)
        for run in range(args.runs):
            report = copy_report(tmp / f"report{run}")
            steps["cold"].append(build(report, jobs))
            change_one_csv(report / "data" / "gpu_prices.csv")
            steps["rebuild"].append(build(report, jobs, everything=False))
            steps["serial"].append(build(report, 1))
            steps["floor"].append(build(floor, jobs))
            results["nbval"].append(nbval_seconds(report))
            results["nbval_floor"].append(nbval_seconds(floor))
            empty = tmp / "bare.ipynb"
            nbformat.write(new_notebook(cells=[new_code_cell("")]), empty)
            results["bare"].append(execute_notebook(empty))
            results["imports_only"].append(execute_notebook(next((floor / "chapters").glob("*.ipynb"))))
            results["loop"].append(python_loop_seconds())
            for notebook in chapters:
                per_notebook[notebook.name].append(execute_notebook(report / "chapters" / notebook.name))
            shutil.rmtree(report)
    for key, pairs in steps.items():
        results[key] = [e + s for e, s in pairs]
        results[f"{key}_execute"] = [e for e, _ in pairs]
        results[f"{key}_sphinx"] = [s for _, s in pairs]
    results["content_bound"] = [min(results["floor_execute"]) + min(results["cold_sphinx"])]
    ratio = lambda a, b: min(results[a]) / min(results[b])  # noqa: E731
    lines = [
        "# Benchmark",
        "",
        f"`make bench` on {jobs} cores, {args.runs} runs each (the whole suite once); ratios use the minimum of each "
        "measure.",
        "",
        "| Measure | Time | Ratio | Target |",
        "|---|---|---|---|",
        f"| Cold book build (parallel) | {summary(results['cold'])} | {ratio('cold', 'floor'):.2f} × floor | ≤ {TARGETS['book']} × floor |",
        f"| … executing the notebooks | {summary(results['cold_execute'])} | {ratio('cold_execute', 'floor_execute'):.2f} × floor's | |",
        f"| … the strict Sphinx build | {summary(results['cold_sphinx'])} | {ratio('cold_sphinx', 'floor_sphinx'):.2f} × floor's | |",
        f"| Floor book ({len(chapters)} import-only notebooks) | {summary(results['floor'])} | 1 | |",
        f"| … executing the notebooks | {summary(results['floor_execute'])} | | |",
        f"| … the strict Sphinx build | {summary(results['floor_sphinx'])} | | |",
        f"| Bound: the floor's execution + this book's Sphinx build | {min(results['content_bound']):.1f} s | {ratio('content_bound', 'floor'):.2f} × floor | |",
        f"| Cold book build, one notebook at a time | {summary(results['serial'])} | {ratio('serial', 'cold'):.2f} × parallel | > 1 |",
        f"| Rebuild after one CSV changes | {summary(results['rebuild'])} | {ratio('rebuild', 'cold'):.2f} × cold | < 1 |",
        f"| Strict nbval over chapters/ | {summary(results['nbval'])} | {ratio('nbval', 'nbval_floor'):.2f} × floor | |",
        f"| Strict nbval over the floor notebooks | {summary(results['nbval_floor'])} | 1 | |",
        f"| `make test`, the whole suite (once) | {suite:.1f} s | {suite / TARGETS['suite']:.2f} × target | ≤ {TARGETS['suite']} s |",
        f"| Bare kernel start-up (empty notebook) | {summary(results['bare'])} | 1 | |",
        f"| One floor notebook alone (the chapters' imports only) | {summary(results['imports_only'])} | {ratio('imports_only', 'bare'):.2f} × bare kernel | |",
        f"| Machine speed check: 10 million Python additions | {summary(results['loop'])} | | |",
    ]
    bare = min(results["bare"])
    for path in chapters:
        seconds = per_notebook[path.name]
        lines.append(f"| Notebook {path.name} ({figures_rendered(path)} figures) | {summary(seconds)} | "
                     f"{min(seconds) / bare:.2f} × bare kernel | ≤ {TARGETS['notebook']} × bare kernel |")
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
