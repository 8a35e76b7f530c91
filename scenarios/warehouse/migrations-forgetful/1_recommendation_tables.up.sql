CREATE TABLE putaway_recommendations (
  id bigserial PRIMARY KEY,
  sku integer NOT NULL REFERENCES items (sku),
  bin_id integer NOT NULL REFERENCES bins (id),
  confidence_score numeric(4, 3) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX putaway_recommendations_sku_idx ON putaway_recommendations (sku);
