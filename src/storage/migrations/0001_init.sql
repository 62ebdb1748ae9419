-- 0001: the case engine. case_events is the source of truth; cases is its fold (a projection
-- rewritten in the same transaction as each append).
CREATE TABLE units (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  short_name TEXT NOT NULL,
  aliases TEXT NOT NULL DEFAULT '',      -- '|'-separated
  level TEXT NOT NULL,
  parent TEXT NOT NULL DEFAULT ''
);

CREATE TABLE categories (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  parent TEXT NOT NULL DEFAULT '',
  handling TEXT NOT NULL,
  department TEXT NOT NULL DEFAULT '',
  response_hours INTEGER NOT NULL,
  time_limit TEXT NOT NULL,
  keywords TEXT NOT NULL DEFAULT ''
);

CREATE TABLE cases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  type TEXT NOT NULL,
  source TEXT NOT NULL,
  unit TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  dispatched_at INTEGER,
  replied_at INTEGER,
  due INTEGER,
  merged_into INTEGER,
  doc TEXT NOT NULL                       -- the whole folded case (storage codec)
);
CREATE INDEX cases_unit ON cases(unit, id);
CREATE INDEX cases_status ON cases(status, id);
CREATE INDEX cases_created ON cases(created_at);

CREATE TABLE case_events (
  case_id INTEGER NOT NULL REFERENCES cases(id),
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  actor_unit TEXT NOT NULL DEFAULT '',
  actor_name TEXT NOT NULL DEFAULT '',
  unit TEXT NOT NULL DEFAULT '',          -- the case's responsible unit after this event
  payload TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE INDEX case_events_kind_at ON case_events(kind, at);

-- Caller contact, apart from the case and encrypted by the service (secretbox): never in `doc`.
CREATE TABLE case_contacts (
  case_id INTEGER PRIMARY KEY REFERENCES cases(id),
  sealed BLOB NOT NULL
);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  prefix TEXT NOT NULL UNIQUE,            -- public part of the key, used to find the row
  hash TEXT NOT NULL,                     -- argon2id of the secret part
  role TEXT NOT NULL,
  unit TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  case_id INTEGER,
  detail TEXT NOT NULL DEFAULT ''
);

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
