"""The gate's GX Data Docs: the site of a Data Docs folder, and its builds.

A build renders the pages of the validations not rendered yet and the index of every run so far.
GX makes a new Jinja environment for every page it renders, so each build used to parse and compile
its 34 templates again (0.1 s of a 0.15 s build); the compiled templates are now kept in
``<folder>/_templates`` (Jinja's own file cache: keyed by each template's name and a checksum of its
source, written atomically, so any process of the same Python reads them; an Airflow task is one).
The pages are the same.
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

SITE = "attrition_local"
RESULTS_SUBDIR = "_results"  # the validation results (JSON), kept next to the pages they render to
TEMPLATES_SUBDIR = "_templates"  # the compiled Jinja templates of the pages


def data_docs_site(ctx, data_docs_dir: Path) -> None:
    """``ctx``'s one Data Docs site: the folder ``data_docs_dir``."""
    site_config = {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir)},
    }
    sites = ctx.variables.data_docs_sites or {}
    if sites.get(SITE, {}).get("store_backend", {}).get("base_directory") == str(data_docs_dir) and len(sites) == 1:
        return
    ctx.variables.data_docs_sites = {SITE: site_config}


def unrendered_runs(data_docs_dir: Path) -> set[str]:
    """Run names of the stored validation results (``_results/<suite>/<run name>/<time>/<batch>.json``)
    that have no page yet (``validations/<the same path>.html``): this run's, and those of earlier
    runs, from any process, that had nothing to show (see :func:`etl.quality.gx_runner.run_suites`'s
    ``build_docs``)."""
    results = data_docs_dir / RESULTS_SUBDIR
    pages = data_docs_dir / "validations"
    return {
        path.parent.parent.name
        for path in results.rglob("*.json")
        if not (pages / path.relative_to(results)).with_suffix(".html").exists()
    }


def render_docs(ctx, data_docs_dir: Path) -> Path | None:
    """Render the pages of the validations not rendered yet, and the index of every run so far
    (rendering only the new ones keeps a build's cost flat as the results accumulate); the index page."""
    pending = unrendered_runs(data_docs_dir)
    keys = [k for k in ctx.validation_results_store.list_keys() if k.run_id.run_name in pending]
    with _compiled_templates(data_docs_dir / TEMPLATES_SUBDIR):
        ctx.build_data_docs(site_names=[SITE], resource_identifiers=keys or None)
    index = data_docs_dir / "index.html"
    return index if index.exists() else None


@functools.cache
def _bytecode_cache(folder: Path):
    """Jinja's file cache of compiled templates in ``folder`` (one per folder and process)."""
    import jinja2

    return jinja2.FileSystemBytecodeCache(str(folder))


@contextlib.contextmanager
def _compiled_templates(folder: Path):
    """While entered, every Jinja environment GX's pages make (``DefaultJinjaView``) keeps its compiled
    templates in ``folder`` (see the module doc); GX's class is as before outside it.  Builds run on
    the gate's GX thread, one at a time."""
    from great_expectations.render.view.view import DefaultJinjaView

    folder.mkdir(parents=True, exist_ok=True)  # again each build: a test or a user may have emptied the docs
    cache, init = _bytecode_cache(folder), DefaultJinjaView.__init__

    def cached_init(view, *args, **kwargs):
        init(view, *args, **kwargs)
        view.env.bytecode_cache = cache

    DefaultJinjaView.__init__ = cached_init
    try:
        yield
    finally:
        DefaultJinjaView.__init__ = init
