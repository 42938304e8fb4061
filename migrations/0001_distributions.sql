CREATE TABLE `distributions` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`type` text NOT NULL,
	`sequence_id` text NOT NULL,
	`name` text,
	`time_zone` text NOT NULL,
	`status` text NOT NULL,
	`open_at` integer,
	`close_at` integer,
	`draw_at` integer,
	`settle_at` integer,
	`completed_at` integer,
	`encryption_seed` text NOT NULL,
	`max_capacity` integer,
	`admission_rate` integer,
	`session_duration_seconds` integer,
	`winner_count` integer,
	`max_entries` integer,
	`starting_bid` integer,
	`minimum_increment` integer,
	`reserve_price` integer,
	`buy_now_price` integer,
	`metadata` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sequence_id`) REFERENCES `sequences`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `distributions_org_type` ON `distributions` (`organization_id`,`type`,`id`);--> statement-breakpoint
CREATE INDEX `distributions_sequence` ON `distributions` (`sequence_id`,`id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`type` text NOT NULL,
	`distribution_id` text,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `events_org` ON `events` (`organization_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_org_type` ON `events` (`organization_id`,`type`,`id`);--> statement-breakpoint
CREATE INDEX `events_org_distribution` ON `events` (`organization_id`,`distribution_id`,`id`);--> statement-breakpoint
CREATE TABLE `experiences` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`time_zone` text,
	`checkout_url` text,
	`product_ids` text NOT NULL,
	`metadata` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `experiences_org` ON `experiences` (`organization_id`,`id`);--> statement-breakpoint
CREATE TABLE `sequences` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`experience_id` text NOT NULL,
	`name` text NOT NULL,
	`priority` integer NOT NULL,
	`product_id` text,
	`checkout_url` text,
	`metadata` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`experience_id`) REFERENCES `experiences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sequences_org` ON `sequences` (`organization_id`,`id`);--> statement-breakpoint
CREATE INDEX `sequences_experience` ON `sequences` (`experience_id`,`id`);