-- XEP-0060 pubsub#itemreply per Topic: PUBLISHER names each item's publisher in notifications and retrieved items
ALTER TABLE pubsub_node ADD COLUMN item_reply VARCHAR(16) DEFAULT 'OWNER' NOT NULL;
