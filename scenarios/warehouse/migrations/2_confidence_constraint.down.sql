DROP INDEX bins_zone_idx;
ALTER TABLE putaway_recommendations DROP CONSTRAINT confidence_score_range;
