-- The loss categories (core.category, synced from etl/domain/categories.py).

CREATE VIEW mart.categories AS
SELECT code, label_en, label_uk, valid_from, valid_to, unit, description, sort_order
FROM core.category;
COMMENT ON VIEW mart.categories IS 'The loss categories of the General Staff bulletins, with English and Ukrainian labels and the days they were reported.';
COMMENT ON COLUMN mart.categories.code IS 'Category code used as column name in mart.daily_losses and as value in the long tables.';
COMMENT ON COLUMN mart.categories.label_en IS 'English label.';
COMMENT ON COLUMN mart.categories.label_uk IS 'Ukrainian label.';
COMMENT ON COLUMN mart.categories.valid_from IS 'First day the bulletins reported this category.';
COMMENT ON COLUMN mart.categories.valid_to IS 'Last day the bulletins reported it; NULL while still reported (military_vehicles and fuel_tanks were merged into vehicles_fuel_tanks on 2022-05-01).';
COMMENT ON COLUMN mart.categories.unit IS 'people (personnel, pow) or units (equipment).';
COMMENT ON COLUMN mart.categories.description IS 'What the category counts.';
COMMENT ON COLUMN mart.categories.sort_order IS 'The order the bulletins list categories in.';
