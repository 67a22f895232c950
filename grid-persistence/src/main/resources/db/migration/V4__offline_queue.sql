-- Offline storage (RFC 8600 §6, RFC 6121 §8.5.2.2.1, XEP-0160): one queue per platform.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.

-- The queue's row is locked while a message is stored or taken, so that the counters, the limits
-- and the arrival order (seq) stay exact under concurrent publishes and deliveries.
CREATE TABLE offline_queue (
    owner           VARCHAR(1023) NOT NULL PRIMARY KEY,
    next_seq        BIGINT        NOT NULL,
    message_count   INTEGER       NOT NULL,
    total_bytes     BIGINT        NOT NULL,
    max_messages    INTEGER,
    max_bytes       BIGINT,
    refused_total   BIGINT        NOT NULL,
    expired_total   BIGINT        NOT NULL,
    last_refused_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT offline_queue_platform_fk FOREIGN KEY (owner) REFERENCES platform (localpart) ON DELETE CASCADE
);

INSERT INTO offline_queue (owner, next_seq, message_count, total_bytes, refused_total, expired_total)
    SELECT localpart, 1, 0, 0, 0, 0 FROM platform;

CREATE SEQUENCE offline_message_seq START WITH 1 INCREMENT BY 50;

-- A stored message stays until its platform has it for certain (XEP-0198 acknowledgement, or a
-- clean stream close); lease_session names the session it was last handed to.
CREATE TABLE offline_message (
    id            BIGINT           NOT NULL PRIMARY KEY,
    owner         VARCHAR(1023)    NOT NULL,
    seq           BIGINT           NOT NULL,
    stored_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE,
    size_bytes    INTEGER          NOT NULL,
    stanza        VARCHAR(1000000) NOT NULL,
    lease_session VARCHAR(64),
    CONSTRAINT offline_message_queue_fk FOREIGN KEY (owner) REFERENCES offline_queue (owner) ON DELETE CASCADE,
    CONSTRAINT offline_message_seq_uk UNIQUE (owner, seq)
);
CREATE INDEX offline_message_expiry_ix ON offline_message (expires_at);

-- RFC 8600 §5: a Topic's provider says whether its messages may be cached for offline Consumers.
ALTER TABLE pubsub_node ADD COLUMN offline_cache BOOLEAN DEFAULT TRUE NOT NULL;
