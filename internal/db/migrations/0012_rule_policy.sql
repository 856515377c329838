-- A routing rule may name the deadline policy of the cases it routes.
ALTER TABLE routing_rules ADD COLUMN policy_id BIGINT REFERENCES deadline_policies (id);
