-- The audit log (RFC 8600 §8.3.2 auditable logs; §9: never payloads): append-only, and tamper-evident:
-- a single chainer gives each entry its place (chain_seq) and an HMAC over the entry and the previous
-- entry's hash, so an altered, removed or inserted entry breaks the chain at that place.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.

CREATE SEQUENCE audit_seq START WITH 1 INCREMENT BY 50;

CREATE TABLE audit_log (
    id         BIGINT        NOT NULL PRIMARY KEY,
    at         TIMESTAMP WITH TIME ZONE NOT NULL,
    actor_kind VARCHAR(16)   NOT NULL,
    actor      VARCHAR(3071) NOT NULL,
    action     VARCHAR(64)   NOT NULL,
    target     VARCHAR(3071),
    outcome    VARCHAR(64)   NOT NULL,
    detail     VARCHAR(4000),
    address    VARCHAR(255),
    chain_seq  BIGINT,
    prev_hash  VARCHAR(64),
    hash       VARCHAR(64),
    CONSTRAINT audit_log_seq_uk UNIQUE (chain_seq),
    CONSTRAINT audit_log_kind_ck CHECK (actor_kind IN ('PLATFORM', 'ADMIN', 'SYSTEM'))
);
CREATE INDEX audit_log_at_ix ON audit_log (at);
CREATE INDEX audit_log_actor_ix ON audit_log (actor, id);

-- The head of the chain: its row is the chainer's lock, so chainers on several nodes take turns.
CREATE TABLE audit_chain (
    id        INTEGER     NOT NULL PRIMARY KEY,
    last_seq  BIGINT      NOT NULL,
    last_hash VARCHAR(64) NOT NULL
);
INSERT INTO audit_chain (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
