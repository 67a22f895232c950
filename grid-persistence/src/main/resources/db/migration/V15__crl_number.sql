-- One CRL number sequence for the whole cluster (RFC 5280 §5.2.3: CRL numbers increase). Every node that publishes
-- the grid CA's CRL takes the next number under this row's lock and reads the revoked certificates under it, so a
-- CRL with a higher number lists at least what every lower one listed. It starts above the numbers published
-- before (the publishing time in epoch milliseconds, about 1.8e12 in 2026).
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
CREATE TABLE crl_state (id INTEGER NOT NULL PRIMARY KEY, last_number BIGINT NOT NULL);
INSERT INTO crl_state (id, last_number) VALUES (1, 2000000000000);
