-- The UTS #39 confusable skeleton of each address (accounts::email_skeleton),
-- unique, so no two accounts have addresses a reader cannot tell apart.
-- NULL for deleted accounts, and until the server fills it in for rows
-- made before this migration (it is computed in Rust, not SQL).
-- Kept in step with ../postgres/0004_email_skeleton.sql.

ALTER TABLE users ADD COLUMN email_skeleton TEXT;
CREATE UNIQUE INDEX users_email_skeleton ON users (email_skeleton);
