-- A deadline policy has an English name beside its Chinese one (''
-- where none was given: the Chinese is shown). The default policies get
-- theirs.
ALTER TABLE deadline_policies ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
UPDATE deadline_policies SET name_en = CASE name
    WHEN '默认' THEN 'Default'
    WHEN '特急' THEN 'Emergency'
    WHEN '紧急' THEN 'Urgent'
    WHEN '咨询' THEN 'Consultation'
    WHEN '求助' THEN 'Request for help'
    WHEN '信访·建议意见' THEN 'Petition: suggestion'
    WHEN '信访·检举控告' THEN 'Petition: accusation'
    WHEN '信访·申诉求决' THEN 'Petition: appeal or claim'
    WHEN '刑事警情' THEN 'Criminal incident'
    WHEN '治安警情' THEN 'Public-order incident'
    WHEN '交通警情' THEN 'Traffic incident'
    WHEN '纠纷警情' THEN 'Dispute incident'
    WHEN '求助警情' THEN 'Call for help'
    WHEN '人民调解' THEN 'People''s mediation'
    ELSE '' END;
