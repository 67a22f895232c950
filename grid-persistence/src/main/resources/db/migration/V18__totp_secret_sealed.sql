-- Administrators' TOTP secrets are stored sealed (AES-GCM under a key derived from the audit key, which lives outside
-- the database; issue 19 §5): the column holds "v1." and the base64url of nonce, ciphertext and tag. Secrets stored
-- in clear before are sealed when the application starts.
-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL.
ALTER TABLE administrator ALTER COLUMN totp_secret SET DATA TYPE VARCHAR(255);
