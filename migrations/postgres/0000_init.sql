-- `query` search (users.search_text) uses pg_trgm's GIN index. A managed database must allow
-- this extension (most do: RDS, Cloud SQL, Azure, Supabase, Neon); if it is already installed
-- nothing more is needed.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "email_addresses" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"email_address" text NOT NULL,
	"status" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "external_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"provider" text NOT NULL,
	"provider_user_id" text NOT NULL,
	"email_address" text DEFAULT '' NOT NULL,
	"first_name" text DEFAULT '' NOT NULL,
	"last_name" text DEFAULT '' NOT NULL,
	"image_url" text,
	"username" text,
	"phone_number" text,
	"approved_scopes" text DEFAULT '' NOT NULL,
	"public_metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"label" text,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"token_secret" text,
	"access_token_expires_at" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organization_memberships" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"public_metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"private_metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"image_url" text,
	"public_metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"private_metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"max_allowed_memberships" bigint DEFAULT 0 NOT NULL,
	"admin_delete_enabled" boolean DEFAULT true NOT NULL,
	"created_by" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_numbers" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"phone_number" text NOT NULL,
	"status" text NOT NULL,
	"reserved_for_second_factor" boolean DEFAULT false NOT NULL,
	"default_second_factor" boolean DEFAULT false NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_images" (
	"key" text PRIMARY KEY NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"bytes" "bytea" NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"external_id" text,
	"username" text,
	"first_name" text,
	"last_name" text,
	"locale" text,
	"timezone" text,
	"primary_email_address_id" text,
	"primary_phone_number_id" text,
	"primary_web3_wallet_id" text,
	"password_digest" text,
	"password_hasher" text,
	"password_last_updated_at" bigint,
	"totp_secret" text,
	"totp_last_used_step" bigint,
	"backup_codes" jsonb,
	"mfa_enabled_at" bigint,
	"mfa_disabled_at" bigint,
	"banned" boolean DEFAULT false NOT NULL,
	"locked" boolean DEFAULT false NOT NULL,
	"lockout_expires_at" bigint,
	"failed_verification_attempts" bigint DEFAULT 0 NOT NULL,
	"verifications_in_flight" bigint DEFAULT 0 NOT NULL,
	"verifications_reserved_at" bigint,
	"public_metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"private_metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"unsafe_metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"profile_image_key" text,
	"last_sign_in_at" bigint,
	"last_active_at" bigint,
	"legal_accepted_at" bigint,
	"delete_self_enabled" boolean DEFAULT true NOT NULL,
	"create_organization_enabled" boolean DEFAULT true NOT NULL,
	"create_organizations_limit" bigint,
	"bypass_client_trust" boolean DEFAULT false NOT NULL,
	"search_text" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "web3_wallets" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"web3_wallet" text NOT NULL,
	"status" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "email_addresses" ADD CONSTRAINT "email_addresses_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_accounts" ADD CONSTRAINT "external_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_memberships" ADD CONSTRAINT "organization_memberships_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_memberships" ADD CONSTRAINT "organization_memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD CONSTRAINT "phone_numbers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "web3_wallets" ADD CONSTRAINT "web3_wallets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "email_addresses_email_unique" ON "email_addresses" USING btree ("email_address");--> statement-breakpoint
CREATE INDEX "email_addresses_user_id" ON "email_addresses" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "external_accounts_provider_user" ON "external_accounts" USING btree ("provider","provider_user_id");--> statement-breakpoint
CREATE INDEX "external_accounts_user_id" ON "external_accounts" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "organization_memberships_org_user" ON "organization_memberships" USING btree ("organization_id","user_id");--> statement-breakpoint
CREATE INDEX "organization_memberships_user_id" ON "organization_memberships" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_slug_unique" ON "organizations" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "organizations_created_at" ON "organizations" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "phone_numbers_phone_unique" ON "phone_numbers" USING btree ("phone_number");--> statement-breakpoint
CREATE INDEX "phone_numbers_user_id" ON "phone_numbers" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_external_id_unique" ON "users" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_unique" ON "users" USING btree ("username");--> statement-breakpoint
CREATE INDEX "users_created_at_id" ON "users" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "users_updated_at" ON "users" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "users_last_active_at" ON "users" USING btree ("last_active_at");--> statement-breakpoint
CREATE INDEX "users_last_sign_in_at" ON "users" USING btree ("last_sign_in_at");--> statement-breakpoint
CREATE INDEX "users_first_name" ON "users" USING btree ("first_name");--> statement-breakpoint
CREATE INDEX "users_last_name" ON "users" USING btree ("last_name");--> statement-breakpoint
CREATE INDEX "users_banned" ON "users" USING btree ("banned");--> statement-breakpoint
CREATE INDEX "users_search_text_trgm" ON "users" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "web3_wallets_wallet_unique" ON "web3_wallets" USING btree (lower("web3_wallet"));--> statement-breakpoint
CREATE INDEX "web3_wallets_user_id" ON "web3_wallets" USING btree ("user_id");