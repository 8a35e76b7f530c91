CREATE MATERIALIZED VIEW zone_capacity AS
  SELECT zone, sum(capacity) AS capacity, count(*) AS bins FROM bins GROUP BY zone;
CREATE UNIQUE INDEX zone_capacity_zone_idx ON zone_capacity (zone);
