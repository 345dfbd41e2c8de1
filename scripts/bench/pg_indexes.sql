-- Benchmark target schema, part 2 of 3: secondary indexes (unique constraints and the
-- indexes ORMs put on foreign-key and timestamp columns). Same set as in the SQLite file.
ALTER TABLE users ADD CONSTRAINT users_uuid_key UNIQUE (uuid);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
ALTER TABLE tags ADD CONSTRAINT tags_name_key UNIQUE (name);
CREATE INDEX posts_user_id_idx ON posts (user_id);
CREATE INDEX posts_created_at_idx ON posts (created_at);
CREATE INDEX events_user_id_idx ON events (user_id);
CREATE INDEX events_post_id_idx ON events (post_id);
CREATE INDEX events_occurred_at_idx ON events (occurred_at);
CREATE INDEX attachments_post_id_idx ON attachments (post_id);
CREATE INDEX post_tags_tag_id_idx ON post_tags (tag_id);
CREATE INDEX follows_followee_id_idx ON follows (followee_id);
