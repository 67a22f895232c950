-- Administrators of the grid (RFC 8600 §8.3.2: strong authentication, no password-only sign-in):
-- a password hash (PBKDF2) plus a TOTP secret (RFC 6238), and/or a client certificate from the
-- grid CA (its SHA-256 fingerprint). Failed sign-ins are counted; after too many the account is
-- locked for a while. Portable SQL: runs unchanged on H2 2.x and PostgreSQL.

CREATE TABLE administrator (
    name            VARCHAR(64)  NOT NULL PRIMARY KEY,
    state           VARCHAR(16)  NOT NULL,
    password_hash   VARCHAR(200),
    totp_secret     VARCHAR(64),
    last_totp_step  BIGINT       NOT NULL DEFAULT 0,
    cert_sha256     VARCHAR(64),
    cert_serial     VARCHAR(64),
    failed_count    INTEGER      NOT NULL DEFAULT 0,
    locked_until    TIMESTAMP WITH TIME ZONE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    last_sign_in_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT administrator_state_ck CHECK (state IN ('ENABLED', 'DISABLED')),
    CONSTRAINT administrator_factor_ck CHECK ((password_hash IS NOT NULL AND totp_secret IS NOT NULL) OR cert_sha256 IS NOT NULL)
);

CREATE UNIQUE INDEX administrator_cert_ix ON administrator (cert_sha256);
