-- Role templates (RFC 8600 §8.3.2 "full authorization model", "functional templates"): the privileges a
-- kind of platform needs, as grants separated by ';' (ACTION [own] [type=T1,T2], or ALL). A platform gets
-- its template's privileges only; without one (and without an operator default) it may do nothing.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.

CREATE TABLE role_template (
    name        VARCHAR(64)   NOT NULL PRIMARY KEY,
    description VARCHAR(1000),
    grants      VARCHAR(4000) NOT NULL
);

INSERT INTO role_template (name, description, grants) VALUES
    ('trusted', 'Everything XEP-0060 affiliations allow', 'ALL'),
    ('sensor', 'Creates Topics and publishes to its own', 'CREATE;CONFIGURE own;DELETE own;MANAGE own;PUBLISH own;RETRACT own;RETRIEVE own'),
    ('iodef-reporter', 'Publishes incident reports to IODEF Topics it is a publisher of', 'PUBLISH type=urn:ietf:params:xml:ns:iodef-2.0;RETRACT type=urn:ietf:params:xml:ns:iodef-2.0'),
    ('dhcp-server', 'Publishes to Topics of its payload type only (edit the type)', 'PUBLISH type=urn:example:dhcp-lease'),
    ('consumer', 'Subscribes and retrieves', 'SUBSCRIBE;RETRIEVE'),
    ('read-only', 'Retrieves items only', 'RETRIEVE');

ALTER TABLE platform ADD COLUMN role VARCHAR(64);
ALTER TABLE platform ADD CONSTRAINT platform_role_fk FOREIGN KEY (role) REFERENCES role_template (name);
