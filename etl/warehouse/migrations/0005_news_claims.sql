-- News reports: the articles the news spiders archived, the claims read from them (the General
-- Staff's figures as the news prints them and other claimants' estimates), and how each General
-- Staff figure compares with the accepted bulletin series.  Written by etl/news/store.py; a
-- mismatch is an alert (quality.alert, kind news_mismatch) and never changes the series.
-- mart.news_claims reads core only (not mart.daily_losses_long): the comparison is stored with
-- the claim when it is made.

CREATE TABLE core.news_article (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id    bigint      NOT NULL UNIQUE REFERENCES raw.document (id),
    source         text        NOT NULL,
    url            text        NOT NULL,
    title          text,
    published_at   timestamptz,
    published_date date,
    language       text,
    text_sha256    text        NOT NULL CHECK (text_sha256 ~ '^[0-9a-f]{64}$'),
    extractor      text        NOT NULL,
    extracted_at   timestamptz NOT NULL DEFAULT now(),
    claim_count    integer     NOT NULL DEFAULT 0 CHECK (claim_count >= 0)
);
CREATE INDEX news_article_url_idx ON core.news_article (url);

CREATE TABLE core.claim (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id      bigint      NOT NULL REFERENCES core.news_article (id) ON DELETE CASCADE,
    seq             integer     NOT NULL CHECK (seq >= 1),
    claimant        text        NOT NULL CHECK (claimant IN ('ua_general_staff', 'ru_defense_ministry',
                                                             'uk_defence_ministry', 'nato', 'us_intelligence', 'other')),
    subject         text        NOT NULL CHECK (subject IN ('ru_forces', 'ua_forces')),
    category        text        NOT NULL CHECK (category ~ '^[a-z_]+$'),
    measure         text        NOT NULL CHECK (measure IN ('cumulative', 'daily_increase', 'period_increase',
                                                            'estimate_range')),
    value           bigint,
    low             bigint,
    high            bigint,
    qualifier       text CHECK (qualifier IN ('about', 'more_than', 'up_to')),
    period_start    date,
    as_of           date,
    as_of_precision text CHECK (as_of_precision IN ('day', 'month', 'year')),
    date_method     text        NOT NULL CHECK (date_method IN ('explicit', 'weekday', 'relative', 'series_match',
                                                                'unresolved')),
    date_reference  text CHECK (date_reference IN ('published', 'series_match')),
    date_text       text,
    span_start      integer     NOT NULL CHECK (span_start >= 0),
    span_end        integer     NOT NULL,
    evidence        text        NOT NULL,
    number_text     text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('ok', 'unparseable')),
    problem         text,
    bulletin_value  bigint,
    comparison      text        NOT NULL CHECK (comparison IN ('match', 'consistent', 'mismatch', 'no_series',
                                                               'not_compared')),
    compared_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (article_id, seq),
    CHECK (span_end >= span_start),
    CHECK ((as_of IS NULL) = (as_of_precision IS NULL)),
    CHECK ((as_of IS NULL) = (date_method = 'unresolved')),
    CHECK (status <> 'ok' OR (measure = 'estimate_range') = (low IS NOT NULL AND high IS NOT NULL AND value IS NULL)),
    CHECK (status <> 'ok' OR measure = 'estimate_range' OR value IS NOT NULL),
    CHECK (status = 'ok' OR (value IS NULL AND problem IS NOT NULL))
);
CREATE INDEX claim_day_idx ON core.claim (as_of, category);

-- ---------------------------------------------------------------------------------------------
-- mart.news_claims: now defined in etl/warehouse/views/07_mart.news_claims.sql (applied after the migrations).
