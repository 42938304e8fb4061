ALTER TABLE `distributions` ADD `soft_close_seconds` integer;--> statement-breakpoint
ALTER TABLE `distributions` ADD `max_extension_seconds` integer;