CREATE TABLE leads (
  id bigint PRIMARY KEY,
  phone text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO leads (id, phone) SELECT g, '+1555' || lpad(g::text, 7, '0') FROM generate_series(1, 4000) g;
