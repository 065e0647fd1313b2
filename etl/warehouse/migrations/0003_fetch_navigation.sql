-- Listing pages fetched only to find bulletin URLs are not archived; say so in raw.fetch.
ALTER TABLE raw.fetch DROP CONSTRAINT fetch_outcome_check;
ALTER TABLE raw.fetch ADD CONSTRAINT fetch_outcome_check
    CHECK (outcome IN ('new', 'duplicate', 'not_modified', 'navigation', 'error'));
UPDATE raw.fetch SET outcome = 'navigation' WHERE outcome = 'new' AND document_id IS NULL;
