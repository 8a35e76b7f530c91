-- A 50-item putaway batch: recommend a bin for 50 consecutive SKUs in one transaction.
BEGIN;
INSERT INTO putaway_recommendations (sku, bin_id, confidence_score)
  SELECT s, 1 + (s * 7 + $2) % 2000, ((s + $2) % 1000) / 1000.0
  FROM generate_series($1::int, $1::int + 49) s;
SELECT zone, capacity FROM zone_capacity WHERE zone = 'Z' || ($2 % 20);
COMMIT;
