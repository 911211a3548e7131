"""Execute notebooks in place, in parallel, leaving no timestamps in them, and only when their inputs changed.

``python -m llmecon.run chapters/*.ipynb`` runs each notebook in its own folder (so figure data lands in
``chapters/figdata``), on as many processes as there are cores (``--jobs``), and stores the outputs in the
notebook. Unlike ``jupyter execute`` it records no execution times in the cells, so re-running unchanged
notebooks over unchanged data leaves the files byte for byte as they were. Prints each notebook's run time.

With ``--changed-only`` a notebook is skipped when nothing it depends on has changed since its stored outputs were
made: its own cells, the ``llmecon`` package, the lock file, the data descriptor, and the tables it read (recorded
by :func:`llmecon.data.load_table` during the run) with every table those reference by foreign key (a change there
can make the read table invalid). The hash of those inputs and the tables read are stored in the notebook's own
metadata (``llmecon``), so a fresh clone knows its notebooks are current, and a data change re-executes exactly the
notebooks that read that data. (Strict nbval in ``make test`` checks independently that stored outputs are current.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

from llmecon.data import READS_ENV, _data_dir, _descriptor, report_root, validate_unstamped

PACKAGE_DIR = Path(__file__).resolve().parent
# Modules of the package that build, run or print the book and that no notebook imports: editing them does not
# make a notebook's outputs stale.
TOOLING = {"__main__.py", "bench.py", "edition.py", "fastbuild.py", "printing.py", "run.py"}
METADATA_KEY = "llmecon"  # notebook metadata: {"inputs": hash of the inputs, "tables": tables read}


def _tables_with_references(tables: list[str], data_dir: Path) -> list[str]:
    """``tables`` and, transitively, every table they reference through a foreign key."""
    references = {
        r["name"]: {fk["reference"]["resource"] for fk in r.get("schema", {}).get("foreignKeys", [])}
        for r in _descriptor(data_dir)["resources"]
    }
    found, todo = set(), list(tables)
    while todo:
        table = todo.pop()
        if table not in found:
            found.add(table)
            todo.extend(references.get(table, ()))
    return sorted(found)


def input_key(notebook: nbformat.NotebookNode, tables: list[str]) -> str:
    """A hash of everything a run of ``notebook`` reading ``tables`` depends on (see the module's docstring)."""
    root, data_dir = report_root(), _data_dir(None)
    descriptor = {r["name"]: r["path"] for r in _descriptor(data_dir)["resources"]}
    files = [root / "requirements.txt", data_dir / "datapackage.yaml",
             *sorted(p for p in PACKAGE_DIR.glob("*.py") if p.name not in TOOLING), *sorted(PACKAGE_DIR.glob("*.mplstyle"))]
    files += [data_dir / descriptor[t] for t in _tables_with_references(tables, data_dir) if t in descriptor]
    cells = [[c.cell_type, c.source, sorted(c.metadata.get("tags", []))] for c in notebook.cells]
    digest = hashlib.sha256(json.dumps(cells).encode())
    for path in files:
        digest.update(str(path.name).encode() + b"\0" + (path.read_bytes() if path.exists() else b"<missing>") + b"\0")
    return digest.hexdigest()


def is_current(path: str | Path) -> bool:
    """True when the stored outputs of the notebook at ``path`` were made from exactly today's inputs."""
    notebook = nbformat.read(path, as_version=4)
    stored = notebook.metadata.get(METADATA_KEY)
    return bool(stored) and stored["inputs"] == input_key(notebook, stored["tables"])


def _coalesce_streams(cell: nbformat.NotebookNode) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell: how a print is split into messages depends on timing."""
    merged = []
    for output in cell.get("outputs", []):
        if merged and output.output_type == "stream" and merged[-1].output_type == "stream" \
                and merged[-1].name == output.name:
            merged[-1].text += output.text
        else:
            merged.append(output)
    if "outputs" in cell:
        cell.outputs = merged


def execute_notebook(path: str | Path) -> float:
    """Run the notebook at ``path`` in its own folder, write it back with its outputs; seconds taken.

    Stores the tables it read and the hash of its inputs in the notebook's metadata, for ``--changed-only``.
    """
    path = Path(path).resolve()
    start = time.perf_counter()
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    with tempfile.NamedTemporaryFile("r", suffix=".reads") as reads, tempfile.TemporaryDirectory() as sockets:
        os.environ[READS_ENV] = reads.name  # the kernel inherits it; load_table appends each table it reads
        # The kernel talks over Unix sockets in a private folder, not over TCP on 127.0.0.1 in the clear.
        sockets_config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}})
        try:
            NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False, config=sockets_config,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        finally:
            del os.environ[READS_ENV]
        tables = sorted(set(reads.read().split()))
    for cell in notebook.cells:
        _coalesce_streams(cell)
    notebook.metadata[METADATA_KEY] = {"inputs": input_key(notebook, tables), "tables": tables}
    nbformat.write(notebook, path)
    return time.perf_counter() - start


def printed_text(path: str | Path) -> str:
    """Everything a notebook's code cells printed (their stream outputs), concatenated: where a scenario's
    glued values can be read back, since ``publish_values`` prints each one as ``key  value``."""
    notebook = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []))


def printed_value(text: str, key: str) -> str:
    """The value printed for glue ``key`` in ``text`` (from :func:`printed_text`); raises if it was not printed."""
    match = re.search(rf"^{re.escape(key)}\s+(.+)$", text, re.MULTILINE)
    if not match:
        raise KeyError(f"{key} was not printed")
    return match.group(1).strip()


def run_scenario(chapter: str | Path, out: str | Path, papermill_args: list[str], cwd: str | Path,
                 run_from: str | Path | None = None) -> str:
    """Re-run ``chapter`` through papermill into ``out`` with ``papermill_args`` (``-p name value`` or ``-f file``),
    its figure data written under ``cwd``, as the README's scenario commands do; returns what ``out`` printed.

    Raises if the run changed any file of the book's own ``chapters/figdata/``: a scenario never overwrites the book.
    """
    figdata = report_root() / "chapters" / "figdata"
    before = {p.name: p.read_bytes() for p in figdata.glob("*.csv")}
    subprocess.run([str(Path(sys.executable).with_name("papermill")), str(chapter), str(out), *papermill_args,
                    "--cwd", str(cwd)], check=True, capture_output=True, cwd=run_from or report_root())
    after = {p.name: p.read_bytes() for p in figdata.glob("*.csv")}
    if after != before:
        raise AssertionError(f"the scenario changed the book's figure data in {figdata}")
    return printed_text(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks run at once")
    parser.add_argument("--changed-only", action="store_true", help="skip notebooks whose inputs are unchanged")
    args = parser.parse_args(argv)
    notebooks = [n for n in args.notebooks if not (args.changed_only and is_current(n))]
    for skipped in sorted(set(args.notebooks) - set(notebooks)):
        print(f"{skipped}: unchanged, not re-run", file=sys.stderr)
    if not notebooks:
        return 0
    validate_unstamped()  # once, here, rather than in every notebook that reads the same tables (a cold build)
    # Longest first keeps both cores busy to the end; file size is a fair proxy for run time.
    notebooks.sort(key=lambda p: -Path(p).stat().st_size)
    with ProcessPoolExecutor(max_workers=min(args.jobs, len(notebooks))) as pool:
        for notebook, seconds in zip(notebooks, pool.map(execute_notebook, notebooks)):
            print(f"{notebook}: {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
