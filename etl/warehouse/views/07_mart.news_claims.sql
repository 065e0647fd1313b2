-- Loss figures read from news articles (core.claim joined to core.news_article).

CREATE VIEW mart.news_claims AS
SELECT c.id            AS claim_id,
       a.url,
       a.source,
       a.title,
       a.published_at,
       a.language,
       c.claimant,
       c.subject,
       c.category,
       c.measure,
       c.value,
       c.low,
       c.high,
       c.qualifier,
       c.period_start,
       c.as_of,
       c.as_of_precision,
       c.date_method,
       c.date_text,
       c.evidence,
       c.span_start,
       c.span_end,
       c.status,
       c.problem,
       c.bulletin_value,
       c.comparison,
       a.extracted_at
FROM core.claim c
JOIN core.news_article a ON a.id = c.article_id;
