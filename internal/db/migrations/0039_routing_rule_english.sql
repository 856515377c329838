-- A routing rule has an English name beside its Chinese one ('' where none
-- was given: the Chinese is shown). The default rules get theirs.
ALTER TABLE routing_rules ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
UPDATE routing_rules SET name_en = CASE name
    WHEN '警情 → 属地派出所' THEN 'Police incidents → the area''s police station'
    WHEN '矛盾纠纷 → 属地人民调解委员会' THEN 'Disputes → the area''s people''s mediation committee'
    WHEN '信访 → 区信访局' THEN 'Petitions → the district''s petition bureau'
    WHEN '接诉即办 → 属地街镇' THEN 'Hotline requests → the area''s street or town'
    ELSE '' END;
