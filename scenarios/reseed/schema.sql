CREATE TABLE occupancies (
  id integer PRIMARY KEY,
  code text NOT NULL UNIQUE,
  rate numeric(10, 2) NOT NULL
);
CREATE TABLE add_on_master (
  code text PRIMARY KEY,
  description text NOT NULL
);
CREATE TABLE add_on_rates (
  id integer PRIMARY KEY,
  add_on_code text NOT NULL REFERENCES add_on_master (code),
  occupancy_id integer NOT NULL REFERENCES occupancies (id),
  amount numeric(10, 2) NOT NULL
);
