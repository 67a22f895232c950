-- Administrators' client certificates that were revoked (issue 19: not only the administrator disabled): a revoked or
-- replaced certificate is listed on the grid CA's CRL beside the platforms' revoked certificates, so that every relying
-- party, not only the console, refuses it.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
CREATE TABLE revoked_admin_certificate (
    serial        VARCHAR(64)              NOT NULL PRIMARY KEY,
    administrator VARCHAR(64)              NOT NULL,
    revoked_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
