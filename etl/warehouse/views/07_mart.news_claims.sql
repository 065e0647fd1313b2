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
COMMENT ON VIEW mart.news_claims IS 'Loss figures read from news articles: who claims what about whose losses, for which day and how that day was found, with the words they were read from; General Staff figures compared with the accepted bulletin series (a mismatch never changes the series).';
COMMENT ON COLUMN mart.news_claims.claim_id IS 'Identifier of the claim (core.claim.id).';
COMMENT ON COLUMN mart.news_claims.url IS 'URL of the article.';
COMMENT ON COLUMN mart.news_claims.source IS 'The spider that fetched the article: news_kyiv_independent or news_article.';
COMMENT ON COLUMN mart.news_claims.title IS 'Headline of the article.';
COMMENT ON COLUMN mart.news_claims.published_at IS 'Published time from the page''s metadata.';
COMMENT ON COLUMN mart.news_claims.language IS 'Language of the article (en, uk, it, ...).';
COMMENT ON COLUMN mart.news_claims.claimant IS 'Who makes the claim: ua_general_staff, ru_defense_ministry, uk_defence_ministry, nato, us_intelligence, other.';
COMMENT ON COLUMN mart.news_claims.subject IS 'Whose losses: ru_forces or ua_forces.';
COMMENT ON COLUMN mart.news_claims.category IS 'Category code (see mart.categories), or killed, wounded, casualties_total for people counts other than the General Staff''s personnel.';
COMMENT ON COLUMN mart.news_claims.measure IS 'cumulative (since 2022-02-24), daily_increase (the day''s), period_increase (since period_start), estimate_range (low to high).';
COMMENT ON COLUMN mart.news_claims.value IS 'The figure; NULL for an estimate range or an unparseable figure.';
COMMENT ON COLUMN mart.news_claims.low IS 'Lower end of an estimate range.';
COMMENT ON COLUMN mart.news_claims.high IS 'Upper end of an estimate range.';
COMMENT ON COLUMN mart.news_claims.qualifier IS 'about, more_than or up_to when the text qualified the figure.';
COMMENT ON COLUMN mart.news_claims.period_start IS 'First day of the period of a period_increase; NULL when the text gives only a duration.';
COMMENT ON COLUMN mart.news_claims.as_of IS 'Day the figure is reported for (first day of the month or year when as_of_precision says so); NULL when the text does not say.';
COMMENT ON COLUMN mart.news_claims.as_of_precision IS 'day, month or year.';
COMMENT ON COLUMN mart.news_claims.date_method IS 'explicit (a date in the text), weekday or relative (counted back from the publication date), series_match (the General Staff totals equal the accepted bulletin series on exactly that day), unresolved.';
COMMENT ON COLUMN mart.news_claims.date_text IS 'The words the date was read from (July 28, Thursday, yesterday), if any.';
COMMENT ON COLUMN mart.news_claims.evidence IS 'The text the claim was read from.';
COMMENT ON COLUMN mart.news_claims.span_start IS 'Character offset where the evidence starts in the article text (of a web page: its title, a blank line, its paragraphs separated by blank lines).';
COMMENT ON COLUMN mart.news_claims.span_end IS 'Character offset where the evidence ends.';
COMMENT ON COLUMN mart.news_claims.status IS 'ok, or unparseable: the figure in the text could not be read (see problem); never guessed.';
COMMENT ON COLUMN mart.news_claims.problem IS 'Why an unparseable figure could not be read.';
COMMENT ON COLUMN mart.news_claims.bulletin_value IS 'The accepted bulletin series'' value for as_of (the cumulative count, or the day''s increase), when compared.';
COMMENT ON COLUMN mart.news_claims.comparison IS 'match, consistent (a qualified figure within its bounds), mismatch (alert news_mismatch raised; the series is unchanged), no_series, not_compared.';
COMMENT ON COLUMN mart.news_claims.extracted_at IS 'When the claims were read from the article.';
