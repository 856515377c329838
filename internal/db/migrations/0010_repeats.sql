-- Finding repeats (internal/dedup): open cases of an area received lately.
CREATE INDEX cases_area_received ON cases (division_code, received_at);
