-- Substring search for `query` (GET /v1/users and /count): an FTS5 trigram index over
-- users.search_text, kept in sync by triggers inside every writing transaction.
-- External content: the index stores trigrams only and reads text from users by `seq`.
CREATE VIRTUAL TABLE `users_search` USING fts5(`search_text`, content='users', content_rowid='seq', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `users_search_insert` AFTER INSERT ON `users` BEGIN
  INSERT INTO `users_search`(rowid, `search_text`) VALUES (new.`seq`, new.`search_text`);
END;
--> statement-breakpoint
CREATE TRIGGER `users_search_delete` AFTER DELETE ON `users` BEGIN
  INSERT INTO `users_search`(`users_search`, rowid, `search_text`) VALUES ('delete', old.`seq`, old.`search_text`);
END;
--> statement-breakpoint
CREATE TRIGGER `users_search_update` AFTER UPDATE OF `search_text` ON `users` BEGIN
  INSERT INTO `users_search`(`users_search`, rowid, `search_text`) VALUES ('delete', old.`seq`, old.`search_text`);
  INSERT INTO `users_search`(rowid, `search_text`) VALUES (new.`seq`, new.`search_text`);
END;
--> statement-breakpoint
INSERT INTO `users_search`(`users_search`) VALUES ('rebuild');
