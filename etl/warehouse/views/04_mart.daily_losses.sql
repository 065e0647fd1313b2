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
