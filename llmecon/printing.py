"""The report as readers meet it outside Jupyter: the built site served locally, a headless browser, the PDF.

``python -m llmecon.printing`` (``make pdf``) builds the whole report as one page (Jupyter Book's ``singlehtml``
builder, from the notebooks' stored outputs, which strict nbval proves current) and prints it to
``_build/report.pdf`` with Debian's Chromium, driven by Playwright (which cannot download a browser of its own
here). Everything is offline: the page is served from 127.0.0.1 and MathJax comes with the site.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from llmecon.data import report_root

CHROMIUM = "/usr/bin/chromium"
# Flags that work for Debian's chromium in a container (see shared/toolchain.md); Playwright adds --headless
# and a fresh profile directory of its own.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
PRINT_PAGE = "report.html"

# For print: no navigation, no code, no printed bookkeeping lines; one chapter per page; figures kept whole;
# wide tables wrap their cells to the page's width instead of being cut off at its edge.
PRINT_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
.bd-header, .bd-header-announcement, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article,
.prev-next-area, .headerlink, #pst-back-to-top, .bd-footer, .bd-footer-content, .cell_input,
.cell_output .output.stream, .skip-link, #jb-print-docs-body { display: none !important; }
.bd-main .bd-content .bd-article-container, .bd-page-width, .bd-article { max-width: 100% !important; }
.bd-main .bd-content .bd-article-container .bd-article { padding: 0 !important; }
.report-title-page { break-after: page; padding-top: 30vh; text-align: center; }
.report-title-page .report-title { font-size: 2.2rem; font-weight: 700; }
.report-title-page .report-author { font-size: 1.2rem; }
.report-title-page p { margin: 0.6rem 0; }
span[id^="document-"] + section { break-before: page; }
figure, table, .admonition { break-inside: avoid; }
img { max-width: 100% !important; }
.pst-scrollable-table-container, .table-wrapper { overflow: visible !important; }
table { max-width: 100% !important; font-size: 7pt; }
table th, table td { overflow-wrap: break-word; hyphens: auto; padding: 2px 3px !important; }
"""

# Before printing: links to a place in the report become jumps inside the PDF; links to files of the site
# (the data behind figures and tables) cannot work on paper, so they become text naming the file.
PRINT_LINKS_JS = """
() => {
  const here = location.href.split('#')[0];
  for (const a of Array.from(document.querySelectorAll('a[href]'))) {
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== location.origin) continue;
    const id = decodeURIComponent(url.hash.slice(1));
    if (id && document.getElementById(id)) { a.setAttribute('href', '#' + url.hash.slice(1)); continue; }
    if (url.href.split('#')[0] === here) continue;
    const name = url.pathname.split('/').pop();
    const span = document.createElement('span');
    span.textContent = a.textContent + (name && !a.textContent.includes(name) ? ` [${name}]` : '');
    a.replaceWith(span);
  }
}
"""


def book_root_doc(root: Path) -> str:
    """The root page of the book (``root`` in ``_toc.yml``), e.g. ``chapters/intro``."""
    return yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))["root"]


@dataclass
class Build:
    """A strict build of the book into ``out/_build/<builder>``: its exit status and its log (``out/<builder>.log``).

    The exit status is written to ``out/<builder>.returncode`` when that build ends, so another process (another
    test worker) can wait for a build it did not start (:func:`attach_builds`), and a later builder of the same
    run can still be going.
    """

    out: Path
    builder: str
    process: subprocess.Popen | None

    @property
    def log_file(self) -> Path:
        return self.out / f"{self.builder}.log"

    def wait(self) -> "Build":
        status = self.out / f"{self.builder}.returncode"
        while not status.exists():
            if self.process is not None and self.process.poll() is not None and not status.exists():
                raise RuntimeError(f"the build process ended before the {self.builder} build did:\n"
                                   + self.log_file.read_text(encoding="utf-8", errors="replace")[-4000:])
            time.sleep(0.2)
        return self

    @property
    def returncode(self) -> int:
        return int((self.wait().out / f"{self.builder}.returncode").read_text())

    @property
    def log(self) -> str:
        self.wait()
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    @property
    def site(self) -> Path:
        return self.out / "_build" / self.builder

    def check(self) -> "Build":
        """Raise unless the build succeeded without a warning."""
        if self.returncode != 0 or "WARNING" in self.log:
            raise RuntimeError(f"the {self.builder} build failed or warned:\n{self.log[-4000:]}")
        return self


def start_builds(out: Path, builders: tuple[str, ...] = ("html",), root: Path | None = None) -> dict[str, Build]:
    """Start strict builds (``-W -n --keep-going``) of the book from the notebooks' stored outputs into
    ``out/_build/<builder>``, one builder after another in one background process.

    They share one doctree folder, so the builders after the first skip reading and parsing the pages: a
    ``singlehtml`` build after the ``html`` one takes about two thirds of the time of its own.
    """
    root = root or report_root()
    out.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["execute"]["execute_notebooks"] = "off"
    config["bibtex_bibfiles"] = [str(root / f) for f in config["bibtex_bibfiles"]]
    config_file = out / "_config.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(root), "--path-output", str(out),
               "--config", str(config_file), "-W", "-n", "--keep-going", "--builder"]
    # The shell records each exit status in a file (written whole, then renamed) for processes that only attach.
    script = ('for builder in $BUILDERS; do "$@" $builder > "$OUT/$builder.log" 2>&1; echo $? > "$OUT/$builder.partial"; '
              'mv "$OUT/$builder.partial" "$OUT/$builder.returncode"; done')
    process = subprocess.Popen(["bash", "-c", script, "build", *command], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT, cwd=root,
                               env={**os.environ, "OUT": str(out), "BUILDERS": " ".join(builders)})
    return {builder: Build(out, builder, process) for builder in builders}


def attach_builds(out: Path, builders: tuple[str, ...] = ("html",)) -> dict[str, Build]:
    """Builds that another process started into ``out`` (with :func:`start_builds`), to wait for and read."""
    return {builder: Build(out, builder, None) for builder in builders}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def launch_chromium(playwright):
    """Debian's headless chromium under Playwright; a clear error when it is not installed."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: run `make {CHROMIUM}` (installs Debian's chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def wait_for_math(page, timeout_ms: float = 30_000) -> None:
    """Wait until MathJax (where the page loads it) has typeset the page."""
    if page.locator("script[src*='mathjax']").count():
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=timeout_ms)
        page.evaluate("() => MathJax.startup.promise")


def singlehtml_page(build: Build, root: Path | None = None) -> Path:
    """Move the one page of a finished ``singlehtml`` build to the top of its folder (where its links to
    ``_static`` and ``_images`` point) as ``report.html``; returns its path."""
    page = build.site / (book_root_doc(root or report_root()) + ".html")
    target = build.site / PRINT_PAGE
    if page.exists():
        shutil.move(page, target)
    return target


def print_pdf(page_file: Path, pdf_file: Path, browser=None) -> str:
    """Print ``page_file`` (served with its folder) to ``pdf_file``: A4, bookmarks, page numbers, live links.

    Uses ``browser`` (a Playwright browser) if given, else launches chromium. Returns the text the printed page
    shows (for checking that the PDF holds every character of it)."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            own = launch_chromium(playwright)
            try:
                return print_pdf(page_file, pdf_file, own)
            finally:
                own.close()
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    with serve(page_file.parent) as base:
        page = browser.new_page()
        try:
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
            page.goto(base + page_file.name, wait_until="load")
            wait_for_math(page)
            page.add_style_tag(content=PRINT_CSS)
            page.evaluate(PRINT_LINKS_JS)
            page.emulate_media(media="print")
            shown = page.evaluate("() => document.body.innerText")
            page.pdf(
                path=str(pdf_file), format="A4", print_background=True, outline=True, tagged=True,
                prefer_css_page_size=True, display_header_footer=True, header_template="<span></span>",
                footer_template='<div style="font-size:8px;width:100%;text-align:center;color:#555">'
                                '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
            )
        finally:
            page.close()
    return shown


def build_pdf(pdf_file: Path, work: Path, root: Path | None = None) -> str:
    """The whole report as one PDF: a strict single-page build in ``work``, printed to ``pdf_file``.

    Returns the text of the printed page (see :func:`print_pdf`)."""
    if work.exists():
        shutil.rmtree(work)
    build = start_builds(work, ("singlehtml",), root)["singlehtml"].check()
    return print_pdf(singlehtml_page(build, root), pdf_file)


def main() -> None:
    from pypdf import PdfReader

    root = report_root()
    start = time.perf_counter()
    pdf = root / "_build" / "report.pdf"
    build_pdf(pdf, root / "_build" / "pdf-source", root)
    pages = len(PdfReader(pdf).pages)
    print(f"{pdf.relative_to(root)}: {pages} pages in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
