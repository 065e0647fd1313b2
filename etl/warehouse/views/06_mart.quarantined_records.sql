-- What the quality gate kept out of the accepted series (quality.quarantine), with diagnosis and decision.

CREATE VIEW mart.quarantined_records AS
SELECT q.id, q.as_of, q.category, q.source, q.cumulative, q.increase, q.diagnosis, q.status,
       q.expectation, q.evidence ->> 'why' AS why, q.neighbours, q.created_at, q.decided_by, q.decided_at, q.note
FROM quality.quarantine q;
