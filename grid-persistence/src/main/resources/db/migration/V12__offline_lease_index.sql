-- Offline delivery hands a session its stored messages in batches; without XEP-0198 a batch stays
-- leased to the session until the stream closes cleanly, so each next batch starts after the
-- highest seq already leased to it (the first entry of this index for the session) instead of walking past every
-- message it already holds: draining a backlog of K messages reads each row once, not K/batch times.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
CREATE INDEX offline_message_lease_ix ON offline_message (owner, lease_session, seq DESC);
