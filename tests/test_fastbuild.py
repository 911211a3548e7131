"""llmecon.fastbuild: {numref} resolves to the same numbers and titles while each target page is unpickled once,
and the chapters' code highlights the same with the plain Python lexer as with IPython's."""

from collections import Counter

import nbformat
import pytest
from pygments.lexers import PythonLexer, get_lexer_by_name
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from llmecon.data import report_root

FIGURE_PAGE = """Figures
=======

.. figure:: pixel.png
   :name: fig-one

   The first figure.

.. figure:: pixel.png
   :name: fig-two

   The second figure.
"""

CITING_PAGE = """Citing
======

See :numref:`fig-one`, :numref:`fig-two`, :numref:`fig-one` again and :numref:`Chart {number} <fig-two>`.
"""


@pytest.mark.parametrize("sharing", [False, True])
def test_numref_unpickles_each_page_once_and_numbers_alike(tmp_path, monkeypatch, sharing):
    source = tmp_path / "source"
    source.mkdir()
    (source / "conf.py").write_text(
        "numfig = True\nnumfig_format = {'figure': 'Figure %s'}\n"
        + ("extensions = ['llmecon.fastbuild']\n" if sharing else ""))
    (source / "index.rst").write_text("Book\n====\n\n.. toctree::\n\n   figures\n   citing\n")
    (source / "figures.rst").write_text(FIGURE_PAGE)
    (source / "citing.rst").write_text(CITING_PAGE)
    (source / "pixel.png").write_bytes(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"))
    loads = Counter()
    original = BuildEnvironment.get_doctree

    def counted(env, docname):
        loads[docname] += 1
        return original(env, docname)

    monkeypatch.setattr(BuildEnvironment, "get_doctree", counted)
    app = Sphinx(str(source), str(source), str(tmp_path / "html"), str(tmp_path / "doctrees"), "html",
                 status=None, warning=None, freshenv=True)
    app.build()
    html = (tmp_path / "html" / "citing.html").read_text(encoding="utf-8")
    for shown in ("Figure 1", "Figure 2", "Chart 2"):
        assert shown in html
    # Without sharing, each of the four references unpickles the figures page again (plus writing it once).
    assert loads["figures"] == (2 if sharing else 5)


def test_chapter_code_highlights_alike_with_the_python_lexer():
    ipython, python = get_lexer_by_name("ipython3"), PythonLexer()  # IPython's own lexer, whatever Sphinx registered
    assert type(ipython).__name__ == "IPython3Lexer"
    cells = [cell.source for path in sorted((report_root() / "chapters").glob("*.ipynb"))
             for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    assert len(cells) > 50
    for source in cells:
        assert list(python.get_tokens(source)) == list(ipython.get_tokens(source)), source[:200]
