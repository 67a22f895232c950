-- A Topic's item order must be its commit order on every cluster node: each publish takes its item's id from
-- the sequence itself, under the Topic's row lock (allocationSize 1), instead of from a block of 50 ids that
-- each node cached. The sequence's value is above every id handed out from earlier blocks, so ids keep rising.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
ALTER SEQUENCE pubsub_item_seq INCREMENT BY 1;
