-- What the content screen found in a text it held (JSON: the rules that
-- fired, their messages and spans), so that its author is told what to
-- edit out and a moderator sees the spans. NULL when nothing held it, or
-- when a moderator did.
ALTER TABLE annotations ADD COLUMN screening TEXT;
ALTER TABLE posts ADD COLUMN screening TEXT;
