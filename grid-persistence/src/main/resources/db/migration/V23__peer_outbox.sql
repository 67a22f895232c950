-- Issue 24 (federation): what a node has to send to a peer grid, kept from the routing transaction until the peer
-- acknowledged it (XEP-0198 on the server-to-server link), so that a node that dies loses none of it: it sends its
-- rows again when it starts, and the rows of a node that left the cluster are taken over by another node.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
CREATE SEQUENCE peer_outbox_seq START WITH 1 INCREMENT BY 50;
CREATE TABLE peer_outbox (
    id          BIGINT                   NOT NULL PRIMARY KEY,
    peer_domain VARCHAR(1023)            NOT NULL,
    node        VARCHAR(255)             NOT NULL,
    stored_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    size_bytes  INTEGER                  NOT NULL,
    stanza      VARCHAR(1000000)         NOT NULL
);
CREATE INDEX peer_outbox_node_ix ON peer_outbox (node, id);
