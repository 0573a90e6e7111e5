CREATE TABLE `email_addresses` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`email_address` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_addresses_email_unique` ON `email_addresses` (`email_address`);--> statement-breakpoint
CREATE INDEX `email_addresses_user_id` ON `email_addresses` (`user_id`);--> statement-breakpoint
CREATE TABLE `external_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_user_id` text NOT NULL,
	`email_address` text DEFAULT '' NOT NULL,
	`first_name` text DEFAULT '' NOT NULL,
	`last_name` text DEFAULT '' NOT NULL,
	`image_url` text,
	`username` text,
	`phone_number` text,
	`approved_scopes` text DEFAULT '' NOT NULL,
	`public_metadata` text DEFAULT '{}' NOT NULL,
	`label` text,
	`access_token` text,
	`refresh_token` text,
	`id_token` text,
	`token_secret` text,
	`access_token_expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `external_accounts_provider_user` ON `external_accounts` (`provider`,`provider_user_id`);--> statement-breakpoint
CREATE INDEX `external_accounts_user_id` ON `external_accounts` (`user_id`);--> statement-breakpoint
CREATE TABLE `organization_memberships` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`public_metadata` text DEFAULT '{}' NOT NULL,
	`private_metadata` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organization_memberships_org_user` ON `organization_memberships` (`organization_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `organization_memberships_user_id` ON `organization_memberships` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`image_url` text,
	`public_metadata` text DEFAULT '{}' NOT NULL,
	`private_metadata` text DEFAULT '{}' NOT NULL,
	`max_allowed_memberships` integer DEFAULT 0 NOT NULL,
	`admin_delete_enabled` integer DEFAULT true NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_slug_unique` ON `organizations` (`slug`);--> statement-breakpoint
CREATE INDEX `organizations_created_at` ON `organizations` (`created_at`);--> statement-breakpoint
CREATE TABLE `phone_numbers` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`phone_number` text NOT NULL,
	`status` text NOT NULL,
	`reserved_for_second_factor` integer DEFAULT false NOT NULL,
	`default_second_factor` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `phone_numbers_phone_unique` ON `phone_numbers` (`phone_number`);--> statement-breakpoint
CREATE INDEX `phone_numbers_user_id` ON `phone_numbers` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`external_id` text,
	`username` text,
	`first_name` text,
	`last_name` text,
	`locale` text,
	`timezone` text,
	`primary_email_address_id` text,
	`primary_phone_number_id` text,
	`primary_web3_wallet_id` text,
	`password_digest` text,
	`password_hasher` text,
	`password_last_updated_at` integer,
	`totp_secret` text,
	`totp_last_used_step` integer,
	`backup_codes` text,
	`mfa_enabled_at` integer,
	`mfa_disabled_at` integer,
	`banned` integer DEFAULT false NOT NULL,
	`locked` integer DEFAULT false NOT NULL,
	`lockout_expires_at` integer,
	`failed_verification_attempts` integer DEFAULT 0 NOT NULL,
	`public_metadata` text DEFAULT '{}' NOT NULL,
	`private_metadata` text DEFAULT '{}' NOT NULL,
	`unsafe_metadata` text DEFAULT '{}' NOT NULL,
	`profile_image_key` text,
	`last_sign_in_at` integer,
	`last_active_at` integer,
	`legal_accepted_at` integer,
	`delete_self_enabled` integer DEFAULT true NOT NULL,
	`create_organization_enabled` integer DEFAULT true NOT NULL,
	`create_organizations_limit` integer,
	`bypass_client_trust` integer DEFAULT false NOT NULL,
	`search_text` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_id_unique` ON `users` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_external_id_unique` ON `users` (`external_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE INDEX `users_created_at_id` ON `users` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `users_updated_at` ON `users` (`updated_at`);--> statement-breakpoint
CREATE INDEX `users_last_active_at` ON `users` (`last_active_at`);--> statement-breakpoint
CREATE INDEX `users_last_sign_in_at` ON `users` (`last_sign_in_at`);--> statement-breakpoint
CREATE INDEX `users_first_name` ON `users` (`first_name`);--> statement-breakpoint
CREATE INDEX `users_last_name` ON `users` (`last_name`);--> statement-breakpoint
CREATE INDEX `users_banned` ON `users` (`banned`);--> statement-breakpoint
CREATE TABLE `web3_wallets` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`web3_wallet` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `web3_wallets_wallet_unique` ON `web3_wallets` (lower("web3_wallet"));--> statement-breakpoint
CREATE INDEX `web3_wallets_user_id` ON `web3_wallets` (`user_id`);