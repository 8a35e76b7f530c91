ALTER TABLE putaway_recommendations
  ADD CONSTRAINT confidence_score_range CHECK (confidence_score >= 0 AND confidence_score <= 1);
CREATE INDEX bins_zone_idx ON bins (zone);
