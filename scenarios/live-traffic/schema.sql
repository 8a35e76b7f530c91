CREATE TABLE accounts (
  id integer PRIMARY KEY,
  balance integer NOT NULL,
  note text NOT NULL
);
INSERT INTO accounts SELECT g, g % 1000, repeat('x', 60) FROM generate_series(1, 400000) g;
ANALYZE accounts;
