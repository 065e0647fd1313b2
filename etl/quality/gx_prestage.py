"""The runner's suites in order, with every staged batch of a later suite staged beside the suites
before it (:func:`run_specs`).

A suite's ``stages`` (the monotonic suite's series) are plain SQL that needs nothing from GX but its
run's ``quality.validation_run`` row, so the runner creates every suite's row first (in the suites'
order, as before) and stages a later suite's batches on a connection of their own in a second thread
while the earlier suites run: the whole history's stage (0.6-0.9 s under load) then overlaps the
schema suite (0.35 s) instead of following it.  GX itself stays on the runner's thread (its context
is not known to be thread-safe); the stage is psycopg2 only.  What each check reads is the same.
The runner's functions are passed in (this module imports nothing of it).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def run_specs(specs: list, run_ids: list, run_one: Callable, stage_ahead: Callable, unstage: Callable) -> list:
    """``run_one(spec, run_id, staging)`` for each suite of ``specs`` in order (``staging``: None, or the
    future of ``stage_ahead(spec, run_id)`` -> {batch: rows staged}, started at once for a suite after
    the first that has stages).  The rows staged for a suite never reached go with ``unstage(rows, run_id)``."""
    ahead = [i for i, s in enumerate(specs) if s.stages and i > 0]  # the first suite stages for itself
    with ThreadPoolExecutor(1, thread_name_prefix="attrition-stage") as pool:
        # a copy of this thread's context: the scope's planner setting
        staging = {i: pool.submit(contextvars.copy_context().run, stage_ahead, specs[i], run_ids[i]) for i in ahead}
        outcomes = []
        try:
            for i, (spec, run_id) in enumerate(zip(specs, run_ids, strict=True)):
                outcomes.append(run_one(spec, run_id, staging.pop(i, None)))
        finally:
            for i, future in staging.items():
                if future.exception() is None:
                    unstage(future.result(), run_ids[i])
    return outcomes


def stage_on_own_connection(dsn: str, stage: Callable, run_var: contextvars.ContextVar, spec, run_id: int) -> dict:
    """{batch: rows staged} of ``spec``'s stages for run ``run_id`` with the runner's ``stage(conn,
    batch, query, run_id)``, on a connection of its own; ``run_var``: the runner's "run being validated"
    of this thread, which the stage's settings read."""
    import psycopg2

    run_var.set(str(run_id))
    with contextlib.closing(psycopg2.connect(dsn, application_name="attrition-gx-stage")) as conn:
        return {batch: stage(conn, batch, query, run_id) for batch, query in spec.stages.items()}
