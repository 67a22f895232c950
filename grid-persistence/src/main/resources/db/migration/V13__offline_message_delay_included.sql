-- Messages stored from now on carry their XEP-0203 <delay/> (the time they were stored) in the stored text, which
-- is the stanza exactly as it is written to a client stream: a backlog goes out as stored, without being parsed
-- and serialized again. Rows stored before (false) still get the delay added when they are delivered.
ALTER TABLE offline_message ADD COLUMN delay_included BOOLEAN DEFAULT FALSE NOT NULL;
-- Which session holds which stored messages is kept in memory beside the sessions (sessions exist only on their
-- node, and a lease of a session that is gone meant nothing): no row is rewritten to lease it.
DROP INDEX offline_message_lease_ix;
ALTER TABLE offline_message DROP COLUMN lease_session;
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
