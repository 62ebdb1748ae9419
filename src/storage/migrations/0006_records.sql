-- 0006: community records (DESIGN §3 "Community records"): buildings, residents, deliberation
-- proposals, enterprises, consultations and opinions, each a JSON document under its kind. The
-- lookup key (a credit code, a resident's key id) is unique within a kind.
CREATE TABLE records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  parent INTEGER NOT NULL DEFAULT 0,
  lookup TEXT,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX records_lookup ON records(kind, lookup) WHERE lookup IS NOT NULL;
CREATE INDEX records_parent ON records(kind, parent, id);

-- An enterprise's requests (企业诉求) carry its id in the case document.
CREATE INDEX cases_enterprise ON cases(json_extract(doc,'$.enterprise_id'))
  WHERE json_extract(doc,'$.enterprise_id') IS NOT NULL;
