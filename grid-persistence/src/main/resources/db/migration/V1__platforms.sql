-- Platforms (RFC 8600 §3: the security systems that connect to the grid) and their credentials.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.

CREATE SEQUENCE platform_seq START WITH 1 INCREMENT BY 50;
CREATE SEQUENCE credential_seq START WITH 1 INCREMENT BY 50;

CREATE TABLE platform (
    id          BIGINT        NOT NULL PRIMARY KEY,
    localpart   VARCHAR(1023) NOT NULL,
    state       VARCHAR(16)   NOT NULL,
    description VARCHAR(1000),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT platform_localpart_uk UNIQUE (localpart),
    CONSTRAINT platform_state_ck CHECK (state IN ('PENDING', 'ENABLED', 'DISABLED', 'REVOKED'))
);

-- Salted SCRAM keys (RFC 5802 §3): StoredKey and ServerKey, never a password. Base64 text.
CREATE TABLE scram_credential (
    id          BIGINT       NOT NULL PRIMARY KEY,
    platform_id BIGINT       NOT NULL,
    hash        VARCHAR(16)  NOT NULL,
    salt        VARCHAR(128) NOT NULL,
    iterations  INTEGER      NOT NULL,
    stored_key  VARCHAR(128) NOT NULL,
    server_key  VARCHAR(128) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT scram_platform_fk FOREIGN KEY (platform_id) REFERENCES platform (id) ON DELETE CASCADE,
    CONSTRAINT scram_platform_hash_uk UNIQUE (platform_id, hash)
);

-- Certificates the grid CA issued to platforms, for SASL EXTERNAL and revocation.
CREATE TABLE platform_certificate (
    id          BIGINT       NOT NULL PRIMARY KEY,
    platform_id BIGINT       NOT NULL,
    serial      VARCHAR(64)  NOT NULL,
    subject     VARCHAR(1024) NOT NULL,
    not_before  TIMESTAMP WITH TIME ZONE NOT NULL,
    not_after   TIMESTAMP WITH TIME ZONE NOT NULL,
    issued_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT cert_platform_fk FOREIGN KEY (platform_id) REFERENCES platform (id) ON DELETE CASCADE,
    CONSTRAINT cert_serial_uk UNIQUE (serial)
);
CREATE INDEX cert_platform_ix ON platform_certificate (platform_id);
