"""Executing notebooks: no timestamps (running twice gives the same bytes), and with --changed-only a notebook
re-runs exactly when something it read (or its own file, or the package) changed."""

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from llmecon.data import report_root
from llmecon.run import execute_notebook, is_current, main

ROOT = report_root()


@pytest.fixture
def report_copy(tmp_path, monkeypatch):
    """A copy of the report's data and package, with two notebooks: one reads prices, one reads gpus."""
    for item in ("data", "llmecon"):
        shutil.copytree(ROOT / item, tmp_path / item)
    shutil.copy(ROOT / "requirements.txt", tmp_path)
    (tmp_path / "chapters").mkdir()
    for name, table in (("a", "prices"), ("b", "gpus")):
        code = f"from llmecon.data import load_table\nprint(len(load_table('{table}')) > 0)"
        nbformat.write(new_notebook(cells=[new_code_cell(code)]), tmp_path / "chapters" / f"{name}.ipynb")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.slow
def test_runs_leave_no_timestamps_and_rerun_only_what_changed(report_copy):
    a, b = report_copy / "chapters" / "a.ipynb", report_copy / "chapters" / "b.ipynb"
    assert main([str(a), str(b), "--changed-only", "--jobs", "2"]) == 0
    assert is_current(a) and is_current(b)
    first = a.read_bytes()
    assert b"iopub" not in first and b"shell.execute_reply" not in first
    assert nbformat.read(a, as_version=4).cells[0].outputs[0]["text"] == "True\n"
    execute_notebook(a)
    assert a.read_bytes() == first  # byte for byte the same on a second run

    gpus = report_copy / "data" / "gpus.csv"
    rows = gpus.read_text().splitlines(keepends=True)
    gpus.write_text("".join(rows[:-1]))  # drop the last GPU: only the notebook reading gpus is out of date
    assert is_current(a) and not is_current(b)
    models = report_copy / "data" / "models.csv"
    models.write_text(models.read_text() + "\n")  # prices references models: the prices reader is out of date
    assert not is_current(a)
    assert main([str(a), str(b), "--changed-only"]) == 0
    assert is_current(a) and is_current(b)
    nbformat.write(new_notebook(cells=[new_code_cell("print(1)")]), a)  # its own file changed
    assert not is_current(a)


def test_split_prints_are_stored_as_one_output():
    from nbformat.v4 import new_output

    from llmecon.run import _coalesce_streams

    cell = new_code_cell("print('a'); print('b')")
    cell.outputs = [new_output("stream", name="stdout", text="a"), new_output("stream", name="stdout", text="\n"),
                    new_output("stream", name="stderr", text="w\n"), new_output("stream", name="stdout", text="b\n")]
    _coalesce_streams(cell)
    assert [(o.name, o.text) for o in cell.outputs] == [("stdout", "a\n"), ("stderr", "w\n"), ("stdout", "b\n")]
