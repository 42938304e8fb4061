ALTER TABLE `sequences` ADD `access` text DEFAULT 'open' NOT NULL;--> statement-breakpoint
ALTER TABLE `refresh_tokens` ADD `vouched` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE TABLE `access_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`sequence_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`hint` text NOT NULL,
	`max_uses` integer NOT NULL,
	`uses` integer DEFAULT 0 NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sequence_id`) REFERENCES `sequences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_codes_hash` ON `access_codes` (`code_hash`);--> statement-breakpoint
CREATE INDEX `access_codes_org_sequence` ON `access_codes` (`organization_id`,`sequence_id`,`id`);--> statement-breakpoint
CREATE INDEX `access_codes_org_batch` ON `access_codes` (`organization_id`,`batch_id`);--> statement-breakpoint
CREATE TABLE `access_code_redemptions` (
	`code_id` text NOT NULL,
	`consumer_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`sequence_id` text NOT NULL,
	`use_number` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`code_id`, `consumer_id`),
	FOREIGN KEY (`code_id`) REFERENCES `access_codes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `access_code_redemptions_consumer` ON `access_code_redemptions` (`organization_id`,`sequence_id`,`consumer_id`);--> statement-breakpoint
CREATE TABLE `allow_list_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`sequence_id` text NOT NULL,
	`consumer_id` text,
	`email` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sequence_id`) REFERENCES `sequences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `allow_list_sequence_consumer` ON `allow_list_entries` (`sequence_id`,`consumer_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `allow_list_sequence_email` ON `allow_list_entries` (`sequence_id`,`email`);--> statement-breakpoint
CREATE INDEX `allow_list_org_sequence` ON `allow_list_entries` (`organization_id`,`sequence_id`,`id`);--> statement-breakpoint
CREATE TABLE `participant_identities` (
	`distribution_id` text NOT NULL,
	`kind` text NOT NULL,
	`key_hash` text NOT NULL,
	`consumer_id` text NOT NULL,
	`organization_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`distribution_id`, `kind`, `key_hash`),
	FOREIGN KEY (`distribution_id`) REFERENCES `distributions`(`id`) ON UPDATE no action ON DELETE cascade
);
