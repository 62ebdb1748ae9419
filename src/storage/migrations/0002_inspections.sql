-- 0002: inspection rounds (巡察). Findings are cases (source 'inspection') whose doc carries the
-- round's id; the expression index finds a round's findings without a new column.
CREATE TABLE inspections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  units TEXT NOT NULL,                    -- JSON array of unit codes
  starts INTEGER NOT NULL,
  ends INTEGER,
  revisit_of TEXT NOT NULL DEFAULT '[]',  -- JSON array of earlier round ids (回头看)
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL DEFAULT ''
);

CREATE INDEX cases_inspection ON cases(json_extract(doc, '$.inspection_id'))
  WHERE json_extract(doc, '$.inspection_id') IS NOT NULL;
