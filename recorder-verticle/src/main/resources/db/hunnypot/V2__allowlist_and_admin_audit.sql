-- Networks never listed, edited through the admin API; the configuration's listing.allowlist
-- adds to them. A sighting inside one still counts, but never lists its address.
CREATE TABLE allowlist (
  network  cidr        PRIMARY KEY,
  comment  text        NOT NULL DEFAULT '',
  added_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX allowlist_networks ON allowlist USING gist (network inet_ops);

-- Every admin action, kept: who asked for what, when, and what it changed. A delisting is
-- offenders.listed_until set to null: the address stays delisted until it is sighted again.
CREATE TABLE admin_audit (
  id     bigserial   PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  action text        NOT NULL,   -- delist, allowlist-add, allowlist-remove
  target text        NOT NULL,   -- the address or network acted on
  client inet,                   -- the HTTP client that asked
  detail jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX admin_audit_by_time ON admin_audit (at DESC, id DESC);
