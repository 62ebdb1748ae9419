-- 0005: the case list's search (`q`: a substring of title, text or address) from an FTS5 trigram
-- index. Its one column is the three joined by U+001F, which no stored text holds, so a match never
-- spans two of them; its content is read from `cases` through a view; triggers keep it current.
-- detail=none: no positions (a third of the size); LIKE still uses the trigrams and checks each
-- candidate against the text. A query of fewer than three characters cannot use it (the scan).
CREATE VIEW cases_search_body AS
  SELECT id, title || char(31) || text || char(31) || address AS body FROM cases;
CREATE VIRTUAL TABLE cases_search USING fts5(
  body, content='cases_search_body', content_rowid='id', tokenize='trigram', detail='none');
INSERT INTO cases_search(cases_search) VALUES ('rebuild');
CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
  INSERT INTO cases_search(rowid, body)
    VALUES (new.id, new.title || char(31) || new.text || char(31) || new.address);
END;
CREATE TRIGGER cases_search_update AFTER UPDATE OF title, text, address ON cases
  WHEN old.title IS NOT new.title OR old.text IS NOT new.text OR old.address IS NOT new.address
BEGIN
  INSERT INTO cases_search(cases_search, rowid, body)
    VALUES ('delete', old.id, old.title || char(31) || old.text || char(31) || old.address);
  INSERT INTO cases_search(rowid, body)
    VALUES (new.id, new.title || char(31) || new.text || char(31) || new.address);
END;
CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
  INSERT INTO cases_search(cases_search, rowid, body)
    VALUES ('delete', old.id, old.title || char(31) || old.text || char(31) || old.address);
END;
