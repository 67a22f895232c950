-- Per-node overrides of the capabilities an affiliation grants (access control as data), e.g.
-- 'MEMBER=SUBSCRIBE,BE_SUBSCRIBED;PUBLISHER=PUBLISH'. NULL: the defaults of XEP-0060 §4.1.
ALTER TABLE pubsub_node ADD COLUMN capability_overrides VARCHAR(4000);
