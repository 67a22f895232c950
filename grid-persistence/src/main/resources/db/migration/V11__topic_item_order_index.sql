-- A Topic's items in publish order (the sequence id): trimming reads the oldest, XEP-0059 pages walk either
-- way, without sorting every item of the Topic (the unique (node_id, item_id) index does not give this order).
CREATE INDEX pubsub_item_node_seq_ix ON pubsub_item (node_id, id);
