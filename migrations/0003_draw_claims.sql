ALTER TABLE `distributions` ADD `claim_window_seconds` integer;--> statement-breakpoint
ALTER TABLE `distributions` ADD `backfill` integer DEFAULT false NOT NULL;