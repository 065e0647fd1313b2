-- The daily marts: the accepted value per (day, category) and the views analysts read.
-- Until the quality gate decides by evidence, the accepted value is the current revision of the
-- highest-priority source that reported the day: mod > minfin > russianwarship.

CREATE TABLE core.source (
    code     text PRIMARY KEY,
    name     text    NOT NULL,
    url      text    NOT NULL,
    priority integer NOT NULL UNIQUE
);
INSERT INTO core.source (code, name, url, priority) VALUES
    ('mod', 'Ministry of Defence of Ukraine (General Staff bulletins)', 'https://www.mil.gov.ua/ and https://mod.gov.ua/', 1),
    ('minfin', 'Minfin (index.minfin.com.ua), Russian losses page', 'https://index.minfin.com.ua/ua/russian-invading/casualties/', 2),
    ('russianwarship', 'russianwarship.rip API', 'https://russianwarship.rip/api/v2/', 3);

-- core.current_observation: now defined in etl/warehouse/views/01_core.current_observation.sql (applied after the migrations).

-- mart.daily_losses_long: now defined in etl/warehouse/views/03_mart.daily_losses_long.sql (applied after the migrations).

-- mart.daily_losses: now defined in etl/warehouse/views/04_mart.daily_losses.sql (applied after the migrations).

-- mart.latest: now defined in etl/warehouse/views/05_mart.latest.sql (applied after the migrations).

GRANT SELECT ON ALL TABLES IN SCHEMA mart TO attrition_reader;
