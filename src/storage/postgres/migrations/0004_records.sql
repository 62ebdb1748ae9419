-- 0004: community records (the SQLite migration 0006): buildings, residents, deliberation
-- proposals, enterprises, consultations and opinions, each a JSON document under its kind. The
-- lookup key (a credit code, a resident's key id) is unique within a kind.
CREATE TABLE records (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT COLLATE "C" NOT NULL,
  parent BIGINT NOT NULL DEFAULT 0,
  lookup TEXT COLLATE "C",
  version INTEGER NOT NULL,
  doc TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX records_lookup ON records(kind, lookup) WHERE lookup IS NOT NULL;
CREATE INDEX records_parent ON records(kind, parent, id);

-- An enterprise's requests (企业诉求) carry its id in the case document.
CREATE INDEX cases_enterprise ON cases(((doc->>'enterprise_id')::BIGINT)) WHERE doc ? 'enterprise_id';
