-- The loss categories (core.category, synced from etl/domain/categories.py).

CREATE VIEW mart.categories AS
SELECT code, label_en, label_uk, valid_from, valid_to, unit, description, sort_order
FROM core.category;
