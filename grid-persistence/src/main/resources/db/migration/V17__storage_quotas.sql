-- Storage one platform can make the grid hold for others (issue 18 §7).
-- 1. The bytes of a Topic's items, kept with its row under the lock every publish takes (like item_count), so that a
--    Topic is trimmed to grid.pubsub.maxTopicBytes as it is to max_items, without reading its items.
-- 2. Who sent each stored message (bare JID; null for the broker's notifications and rows stored before this version),
--    so that one platform's messages may fill only a share of another's offline queue (grid.offline.maxFromOneSender).
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
ALTER TABLE pubsub_node ADD COLUMN item_bytes BIGINT DEFAULT 0 NOT NULL;
UPDATE pubsub_node SET item_bytes = (SELECT COALESCE(SUM(i.size_bytes), 0) FROM pubsub_item i WHERE i.node_id = pubsub_node.id);
ALTER TABLE offline_message ADD COLUMN sender VARCHAR(1023);
CREATE INDEX offline_message_sender ON offline_message (owner, sender);
