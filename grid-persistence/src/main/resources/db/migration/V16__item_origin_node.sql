-- The cluster node that committed each item's publish (its jboss.node.name), so that when a node dies the cluster can
-- deliver again what that node had published for its own sessions in its last seconds: nobody else knew of those
-- deliveries (issue 16). Null for items published before this version and on nodes without a name.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
ALTER TABLE pubsub_item ADD COLUMN origin_node VARCHAR(255);
CREATE INDEX pubsub_item_origin ON pubsub_item (origin_node, published_at);
