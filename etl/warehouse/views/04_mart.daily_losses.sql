-- The accepted series, wide form: one row per day, one column per category, read from mart.daily_losses_long.
-- Materialized; refreshed CONCURRENTLY by the gate, hence the unique index.

CREATE MATERIALIZED VIEW mart.daily_losses AS
SELECT as_of,
       max(cumulative) FILTER (WHERE category = 'personnel')           AS personnel,
       max(cumulative) FILTER (WHERE category = 'tanks')               AS tanks,
       max(cumulative) FILTER (WHERE category = 'armored_vehicles')    AS armored_vehicles,
       max(cumulative) FILTER (WHERE category = 'artillery')           AS artillery,
       max(cumulative) FILTER (WHERE category = 'mlrs')                AS mlrs,
       max(cumulative) FILTER (WHERE category = 'air_defense')         AS air_defense,
       max(cumulative) FILTER (WHERE category = 'aircraft')            AS aircraft,
       max(cumulative) FILTER (WHERE category = 'helicopters')         AS helicopters,
       max(cumulative) FILTER (WHERE category = 'drones')              AS drones,
       max(cumulative) FILTER (WHERE category = 'cruise_missiles')     AS cruise_missiles,
       max(cumulative) FILTER (WHERE category = 'ships_boats')         AS ships_boats,
       max(cumulative) FILTER (WHERE category = 'submarines')          AS submarines,
       max(cumulative) FILTER (WHERE category = 'vehicles_fuel_tanks') AS vehicles_fuel_tanks,
       max(cumulative) FILTER (WHERE category = 'special_equipment')   AS special_equipment,
       max(cumulative) FILTER (WHERE category = 'ground_robots')       AS ground_robots,
       max(cumulative) FILTER (WHERE category = 'military_vehicles')   AS military_vehicles,
       max(cumulative) FILTER (WHERE category = 'fuel_tanks')          AS fuel_tanks,
       max(cumulative) FILTER (WHERE category = 'srbm_launchers')      AS srbm_launchers,
       max(cumulative) FILTER (WHERE category = 'pow')                 AS pow,
       coalesce(array_agg(category ORDER BY category) FILTER (WHERE correction), '{}')   AS corrections,
       coalesce(array_agg(category ORDER BY category) FILTER (WHERE disagreement), '{}') AS disagreements
FROM mart.daily_losses_long
GROUP BY as_of;
CREATE UNIQUE INDEX daily_losses_key ON mart.daily_losses (as_of);
COMMENT ON MATERIALIZED VIEW mart.daily_losses IS 'One row per day, one column per category: the cumulative counts since 2022-02-24 that the quality gate accepted. NULL: not reported that day, or every report of it is quarantined (never zero-filled). Refreshed after every validation.';
COMMENT ON COLUMN mart.daily_losses.as_of IS 'Day the counts are reported for (Kyiv date).';
COMMENT ON COLUMN mart.daily_losses.personnel IS 'Personnel (killed and wounded), usually "about".';
COMMENT ON COLUMN mart.daily_losses.tanks IS 'Tanks.';
COMMENT ON COLUMN mart.daily_losses.armored_vehicles IS 'Armoured combat vehicles.';
COMMENT ON COLUMN mart.daily_losses.artillery IS 'Artillery systems.';
COMMENT ON COLUMN mart.daily_losses.mlrs IS 'Multiple launch rocket systems.';
COMMENT ON COLUMN mart.daily_losses.air_defense IS 'Air defence systems.';
COMMENT ON COLUMN mart.daily_losses.aircraft IS 'Aircraft.';
COMMENT ON COLUMN mart.daily_losses.helicopters IS 'Helicopters.';
COMMENT ON COLUMN mart.daily_losses.drones IS 'UAV of the operational-tactical level.';
COMMENT ON COLUMN mart.daily_losses.cruise_missiles IS 'Cruise missiles (from 2022-05-01).';
COMMENT ON COLUMN mart.daily_losses.ships_boats IS 'Warships and boats.';
COMMENT ON COLUMN mart.daily_losses.submarines IS 'Submarines (from 2023-09-14).';
COMMENT ON COLUMN mart.daily_losses.vehicles_fuel_tanks IS 'Vehicles and fuel tanks (from 2022-05-01).';
COMMENT ON COLUMN mart.daily_losses.special_equipment IS 'Special equipment (from 2022-03-16).';
COMMENT ON COLUMN mart.daily_losses.ground_robots IS 'Ground robotic systems (from 2026-05-03).';
COMMENT ON COLUMN mart.daily_losses.military_vehicles IS 'Military vehicles (until 2022-04-30; then part of vehicles_fuel_tanks).';
COMMENT ON COLUMN mart.daily_losses.fuel_tanks IS 'Fuel tanks (until 2022-04-30; then part of vehicles_fuel_tanks).';
COMMENT ON COLUMN mart.daily_losses.srbm_launchers IS 'Mobile SRBM launchers (2022-03-26..2022-04-30).';
COMMENT ON COLUMN mart.daily_losses.pow IS 'Prisoners of war (reported until 2022-04-27).';
COMMENT ON COLUMN mart.daily_losses.corrections IS 'Categories whose value this day is an official correction (lower than the day before on purpose).';
COMMENT ON COLUMN mart.daily_losses.disagreements IS 'Categories for which a source printed another value this day (see mart.daily_losses_long.dissent).';
