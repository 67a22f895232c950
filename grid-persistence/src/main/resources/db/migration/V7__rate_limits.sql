-- Rate limits per role template (RFC 8600 §8.3.2 MAY): stanzas and inbound bytes per second a platform
-- with this template may send (null: the operator's default; 0: unlimited).
ALTER TABLE role_template ADD COLUMN stanza_rate INTEGER;
ALTER TABLE role_template ADD COLUMN byte_rate INTEGER;
