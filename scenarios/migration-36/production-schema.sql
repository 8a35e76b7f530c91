-- The leads table as production has it before migration 36 (the shape of
-- leads.profile.json, made by scripts/make-leads-profile.sh): the incident's three
-- columns and the ones a real leads table carries beside them. No rows: a synthesize
-- step fills it from the profile.
CREATE TABLE leads (
  id bigint PRIMARY KEY,
  phone text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  email text,
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'won', 'lost')),
  score integer CHECK (score BETWEEN 0 AND 100),
  source text,
  notes text
);
CREATE INDEX leads_created_at ON leads (created_at);
