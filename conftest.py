"""Fixtures shared by the build, browser and PDF tests, and how the suite shares out the cores.

``make test`` runs pytest on every core (pytest-xdist, ``--dist loadfile``: a notebook's cells and a module's
fixtures stay on one worker); xdist hands out the files with the most tests first, the browser tests among them,
so the book's builds start at once. The first worker that needs the book starts its two strict builds (the site,
then the whole report as one page for the PDF, which reuses the site's parsed pages); any other worker that needs
them waits for those same builds instead of starting its own. Before any worker starts, every table not yet
validated is validated once, instead of in each kernel that reads it.
"""

import fcntl

import pytest

from llmecon.data import validate_unstamped
from llmecon.printing import attach_builds, launch_chromium, start_builds

BUILDERS = ("html", "singlehtml")


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller, before any worker starts
        validate_unstamped()  # once, rather than in each notebook nbval runs (a fresh clone has no stamps)


@pytest.fixture(scope="session")
def book_builds(tmp_path_factory, worker_id):
    """The strict builds of the book from stored outputs (``html``: the site; ``singlehtml``: the whole report as
    one page, printed to PDF), each a :class:`llmecon.printing.Build`, built once per test run."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the folder all workers of this run share
    folder = shared / "book-builds"
    with open(shared / "book-builds.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started_here = not folder.exists()
        if started_here:
            builds = start_builds(folder, BUILDERS)
        else:
            builds = attach_builds(folder, BUILDERS)
    yield builds
    process = builds["html"].process
    if started_here and process.poll() is None:  # a run stopped before it needed the builds
        process.terminate()
        process.wait()


@pytest.fixture(scope="session")
def built_site(book_builds):
    """The finished site build (``.returncode``, ``.log``) and the folder of its HTML pages."""
    build = book_builds["html"].wait()
    return build, build.site


@pytest.fixture(scope="session")
def browser():
    """Debian's headless chromium, driven by Playwright, for the whole test run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
