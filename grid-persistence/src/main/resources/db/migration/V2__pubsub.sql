-- The pubsub service (XEP-0060) of RFC 8600: Topics (nodes), affiliations, subscriptions, items.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.

CREATE SEQUENCE pubsub_node_seq START WITH 1 INCREMENT BY 50;
CREATE SEQUENCE pubsub_item_seq START WITH 1 INCREMENT BY 50;

CREATE TABLE pubsub_node (
    id                     BIGINT        NOT NULL PRIMARY KEY,
    name                   VARCHAR(255)  NOT NULL,
    creator                VARCHAR(3071) NOT NULL,
    created_at             TIMESTAMP WITH TIME ZONE NOT NULL,
    title                  VARCHAR(1000),
    description            VARCHAR(4000),
    payload_type           VARCHAR(1000),
    access_model           VARCHAR(16)   NOT NULL,
    persist_items          BOOLEAN       NOT NULL,
    max_items              INTEGER       NOT NULL,
    deliver_payloads       BOOLEAN       NOT NULL,
    deliver_notifications  BOOLEAN       NOT NULL,
    notify_retract         BOOLEAN       NOT NULL,
    notify_delete          BOOLEAN       NOT NULL,
    send_last_published    VARCHAR(16)   NOT NULL,
    notification_type      VARCHAR(16)   NOT NULL,
    CONSTRAINT pubsub_node_name_uk UNIQUE (name),
    CONSTRAINT pubsub_node_access_ck CHECK (access_model IN ('AUTHORIZE', 'WHITELIST'))
);

CREATE TABLE pubsub_affiliation (
    node_id     BIGINT        NOT NULL,
    jid         VARCHAR(3071) NOT NULL,
    affiliation VARCHAR(16)   NOT NULL,
    CONSTRAINT pubsub_affiliation_pk PRIMARY KEY (node_id, jid),
    CONSTRAINT pubsub_affiliation_node_fk FOREIGN KEY (node_id) REFERENCES pubsub_node (id) ON DELETE CASCADE
);
CREATE INDEX pubsub_affiliation_jid_ix ON pubsub_affiliation (jid);

CREATE TABLE pubsub_subscription (
    node_id BIGINT        NOT NULL,
    jid     VARCHAR(3071) NOT NULL,
    state   VARCHAR(16)   NOT NULL,
    subid   VARCHAR(64)   NOT NULL,
    CONSTRAINT pubsub_subscription_pk PRIMARY KEY (node_id, jid),
    CONSTRAINT pubsub_subscription_node_fk FOREIGN KEY (node_id) REFERENCES pubsub_node (id) ON DELETE CASCADE
);
CREATE INDEX pubsub_subscription_jid_ix ON pubsub_subscription (jid);

-- id is the item's sequence number: it orders a node's items and backs the opaque RSM cursors.
CREATE TABLE pubsub_item (
    id           BIGINT          NOT NULL PRIMARY KEY,
    node_id      BIGINT          NOT NULL,
    item_id      VARCHAR(255)    NOT NULL,
    publisher    VARCHAR(3071)   NOT NULL,
    published_at TIMESTAMP WITH TIME ZONE NOT NULL,
    size_bytes   INTEGER         NOT NULL,
    payload      VARCHAR(1000000),
    CONSTRAINT pubsub_item_node_fk FOREIGN KEY (node_id) REFERENCES pubsub_node (id) ON DELETE CASCADE,
    CONSTRAINT pubsub_item_uk UNIQUE (node_id, item_id)
);
CREATE INDEX pubsub_item_node_ix ON pubsub_item (node_id, id);
