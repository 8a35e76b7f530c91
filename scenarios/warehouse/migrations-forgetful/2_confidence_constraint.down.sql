-- Forgets the index that the up script created on a table that stays.
ALTER TABLE putaway_recommendations DROP CONSTRAINT confidence_score_range;
