-- The delivery log filtered by state (管理 → Webhook 推送 → 投递记录, and
-- GET /api/v1/webhooks/deliveries?status=) reads newest first: failed and
-- pending deliveries are few among many delivered, so each has an index of
-- its own rather than a walk back through every delivery.
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (id) WHERE failed_at IS NOT NULL;
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (id) WHERE delivered_at IS NULL AND failed_at IS NULL;
