-- The observations_monotonic suite's series, staged once per validation run (the suite file's
-- "stages"): the candidates merged into the history of their (source, category), each day with its
-- neighbours and its daily increase, and the statistics of the 30 days before for the candidates that
-- daily_increase_plausible must judge.  The suite's checks read these rows (GX batch "series") instead
-- of computing the series once per check, and twice per check (GX runs an unexpected_rows query for its
-- count, then for its rows).  Scratch rows: the GX runner writes them before the checks and removes
-- them after the suite, so UNLOGGED (no WAL; a crash empties the table, which loses nothing).  No key
-- nor index: a check reads its run's rows in one scan.
CREATE UNLOGGED TABLE quality.monotonic_series (
    validation_run_id bigint  NOT NULL,
    source            text    NOT NULL,
    as_of             date    NOT NULL,
    category          text    NOT NULL,
    cumulative        bigint  NOT NULL,
    increase          bigint,
    is_candidate      boolean NOT NULL,
    prev_as_of        date,
    prev_cumulative   bigint,
    next_as_of        date,
    next_cumulative   bigint,
    daily_increase    bigint,
    median_30d        double precision,
    p90_30d           double precision,
    baseline_days     integer
);
