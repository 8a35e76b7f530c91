CREATE TABLE bins (
  id integer PRIMARY KEY,
  zone text NOT NULL,
  capacity integer NOT NULL
);
INSERT INTO bins SELECT g, 'Z' || (g % 20), 50 + g % 50 FROM generate_series(1, 2000) g;
CREATE TABLE items (
  sku integer PRIMARY KEY,
  name text NOT NULL,
  volume numeric(8, 2) NOT NULL
);
INSERT INTO items SELECT g, 'item ' || g, 0.5 + (g % 17) / 4.0 FROM generate_series(1, 5000) g;
