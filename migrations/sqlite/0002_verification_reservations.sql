ALTER TABLE `users` ADD `verifications_in_flight` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `verifications_reserved_at` integer;