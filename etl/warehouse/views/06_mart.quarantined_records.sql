-- What the quality gate kept out of the accepted series (quality.quarantine), with diagnosis and decision.

CREATE VIEW mart.quarantined_records AS
SELECT q.id, q.as_of, q.category, q.source, q.cumulative, q.increase, q.diagnosis, q.status,
       q.expectation, q.evidence ->> 'why' AS why, q.neighbours, q.created_at, q.decided_by, q.decided_at, q.note
FROM quality.quarantine q;
COMMENT ON VIEW mart.quarantined_records IS 'Every record the quality gate kept out of the accepted series (or accepted only as an official correction), with its diagnosis and what became of it. Nothing is dropped silently: a value missing from mart.daily_losses is here.';
COMMENT ON COLUMN mart.quarantined_records.id IS 'Quarantine id, for attrition quarantine show / accept / reject.';
COMMENT ON COLUMN mart.quarantined_records.as_of IS 'Day of the record (the culprit day).';
COMMENT ON COLUMN mart.quarantined_records.category IS 'Category code.';
COMMENT ON COLUMN mart.quarantined_records.source IS 'The source that printed it.';
COMMENT ON COLUMN mart.quarantined_records.cumulative IS 'The value it printed.';
COMMENT ON COLUMN mart.quarantined_records.increase IS 'The "(+N)" it printed, if any.';
COMMENT ON COLUMN mart.quarantined_records.diagnosis IS 'typo_low: too low; spike_before: too high, exposed by the day after; official_correction: a decrease on purpose; unresolved: the evidence cannot tell yet; out_of_validity: printed on a day outside the category''s official dates (never accepted; why gives the observation''s note).';
COMMENT ON COLUMN mart.quarantined_records.status IS 'open, accepted, rejected or resolved (see quality.quarantine.status).';
COMMENT ON COLUMN mart.quarantined_records.expectation IS 'The expectation it broke (suite.expectation).';
COMMENT ON COLUMN mart.quarantined_records.why IS 'The diagnosis in words.';
COMMENT ON COLUMN mart.quarantined_records.neighbours IS 'The accepted values of the days around it.';
COMMENT ON COLUMN mart.quarantined_records.created_at IS 'When it was quarantined.';
COMMENT ON COLUMN mart.quarantined_records.decided_by IS 'Who decided (an operator, or gate for automatic decisions).';
COMMENT ON COLUMN mart.quarantined_records.decided_at IS 'When.';
COMMENT ON COLUMN mart.quarantined_records.note IS 'The decision''s note.';
