CREATE TABLE `pending_images` (
	`key` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
