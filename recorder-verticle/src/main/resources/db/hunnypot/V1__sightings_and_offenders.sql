-- One row per SMTP session seen by a listener. The id is the listener's, so a resent
-- sighting is stored once.
CREATE TABLE sightings (
  id          uuid        PRIMARY KEY,
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz NOT NULL,
  client_ip   inet        NOT NULL,
  client_port integer     NOT NULL,
  local_ip    inet        NOT NULL,
  local_port  integer     NOT NULL,
  node        text        NOT NULL,
  helo        text,
  sender      text,
  recipients  text[]      NOT NULL,
  bytes       bigint      NOT NULL,
  commands    integer     NOT NULL,
  ending      text        NOT NULL,
  class       text        NOT NULL,
  evidence    jsonb       NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- one address, never a network: an offender is listed by its address
  CONSTRAINT client_ip_is_one_address CHECK (masklen(client_ip) = CASE family(client_ip) WHEN 4 THEN 32 ELSE 128 END)
);
CREATE INDEX sightings_by_client ON sightings (client_ip, ended_at DESC);
CREATE INDEX sightings_by_time ON sightings (ended_at DESC);

-- One row per client address that was ever sighted; a sighting's time is its ended_at.
CREATE TABLE offenders (
  ip           inet        PRIMARY KEY,
  first_seen   timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  sightings    bigint      NOT NULL,
  classes      text[]      NOT NULL,   -- every class it was sighted with, in name order
  listed_until timestamptz             -- null: never sighted with a listed class
);
CREATE INDEX offenders_by_last_seen ON offenders (last_seen DESC, ip);
CREATE INDEX offenders_by_listing ON offenders (listed_until) WHERE listed_until IS NOT NULL;
