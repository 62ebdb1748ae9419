-- 0003: the case list's search (`q`: a substring of title, text or address, ILIKE) from a pg_trgm
-- GIN index over the three joined by U+001F, which no stored text holds, so a match never spans two
-- of them. The expression must stay exactly the one the queries use (the dialect's text_index in
-- postgres_database.cpp). pg_trgm is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_search ON cases
  USING gin ((title || E'\x1f' || text || E'\x1f' || address) gin_trgm_ops);
