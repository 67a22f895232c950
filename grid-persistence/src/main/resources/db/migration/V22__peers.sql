-- Issue 24 (federation): the peer grids this one may link with, configured by administrators, never discovered. Each
-- has its own trust anchors (the peer grid's CA certificates, PEM), optionally a pin of its server key (SHA-256 of the
-- SubjectPublicKeyInfo, hex), the role template that governs its JIDs here (null: nothing allowed), and where its
-- server is reached (host:port; null: its domain on 5269).
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
CREATE TABLE peer_domain (
    domain        VARCHAR(1023)            NOT NULL PRIMARY KEY,
    state         VARCHAR(16)              NOT NULL,
    trust_anchors VARCHAR(16384)           NOT NULL,
    pin_sha256    VARCHAR(64),
    role          VARCHAR(64),
    address       VARCHAR(300),
    description   VARCHAR(1000),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT peer_state_ck CHECK (state IN ('ENABLED', 'REVOKED')),
    CONSTRAINT peer_role_fk FOREIGN KEY (role) REFERENCES role_template (name)
);
