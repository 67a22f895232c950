-- Issue 22: one counter that every change of which role template applies to which platform (or of a template's
-- grants) raises in the same transaction; nodes cache platforms' roles and templates as long as it has not moved,
-- instead of looking a publish's thousand subscribers up in the platform table every time
CREATE TABLE role_generation (id INT PRIMARY KEY, generation BIGINT NOT NULL);
INSERT INTO role_generation (id, generation) VALUES (1, 0);
