-- XEP-0133 service administration is a grant of its own (ADMINISTER), which ALL does not include:
-- a platform may administer the grid over XMPP only with a template that names it.
INSERT INTO role_template (name, description, grants) VALUES
    ('service-admin', 'Administers the grid over XMPP (XEP-0133) and may do everything on the broker', 'ALL;ADMINISTER');
