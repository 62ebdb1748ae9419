-- 0002: the duplicate check and a unit's queue read a unit's cases in given statuses.
CREATE INDEX cases_unit_status ON cases(unit, status, id);
