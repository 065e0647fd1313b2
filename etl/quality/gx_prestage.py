"""The runner's suites in order, with every staged batch of a later suite staged beside the suites
before it (:func:`run_specs`).

A suite's ``stages`` (the monotonic suite's series) are plain SQL that needs nothing from GX but its
run's ``quality.validation_run`` row, so the runner creates every suite's row first (in the suites'
order, as before) and stages a later suite's batches on a connection of their own in a second thread
while the earlier suites run: the whole history's stage (0.6-0.9 s under load) then overlaps the
schema suite (0.35 s) instead of following it.  GX itself stays on the runner's thread (its context
is not known to be thread-safe); the stage is psycopg2 only.  What each check reads is the same.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import Future, ThreadPoolExecutor


def run_specs(ctx, datasource, conn, dsn: str, specs: list, date_from, date_to, sources, airflow_run_id) -> list:
    """The :class:`SuiteOutcome` of each suite of ``specs``, run in order on the runner's connection."""
    from etl.quality import gx_runner as r

    run_ids = [r._new_run(conn, s, date_from, date_to, sources, airflow_run_id) for s in specs]
    ahead = [i for i, s in enumerate(specs) if s.stages and i > 0]  # the first suite stages for itself
    with ThreadPoolExecutor(1, thread_name_prefix="attrition-stage") as pool:
        staging = {i: pool.submit(contextvars.copy_context().run, _stage_all, dsn, specs[i], run_ids[i]) for i in ahead}
        outcomes = []
        try:
            for i, (spec, run_id) in enumerate(zip(specs, run_ids, strict=True)):
                outcomes.append(r._run_suite(ctx, datasource, conn, spec, run_id, staging.pop(i, None)))
        finally:
            for i, future in staging.items():  # a suite not reached: its staged rows are removed
                if future.exception() is None:
                    r._unstage(conn, future.result(), run_ids[i])
    return outcomes


def _stage_all(dsn: str, spec, run_id: int) -> dict:
    """{batch: rows staged} of ``spec``'s stages for run ``run_id``, on a connection of its own."""
    import psycopg2

    from etl.quality import gx_runner as r

    r._RUN.set(str(run_id))  # this thread's run (its context is a copy: the scope's planner setting too)
    conn = psycopg2.connect(dsn, application_name="attrition-gx-stage")
    try:
        return {batch: r._stage(conn, batch, query, run_id) for batch, query in spec.stages.items()}
    finally:
        conn.close()


def staged_rows(staging: Future | None, conn, batch: str, query: str, run_id: int) -> int:
    """The rows staged for ``batch``: by the staging thread when it was started (its error raised
    here, as the batch's), else now on the runner's connection."""
    from etl.quality import gx_runner as r

    if staging is not None:
        return staging.result()[batch]
    return r._stage(conn, batch, query, run_id)
