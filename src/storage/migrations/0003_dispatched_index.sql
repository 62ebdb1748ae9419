-- 0003: the monthly figures select a month's cases by their dispatch time.
CREATE INDEX cases_dispatched ON cases(dispatched_at) WHERE dispatched_at IS NOT NULL;
