-- A supervision order keeps its reason in both languages, shown in its
-- reader's (internal/supervision, Order.Reason): reason in Chinese,
-- reason_en in English, '' where the English is the Chinese (a
-- supervisor's own words, and every order stored before).
ALTER TABLE supervision_orders ADD COLUMN reason_en TEXT NOT NULL DEFAULT '';
