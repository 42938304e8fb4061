ALTER TABLE `api_keys` ADD `scopes` text DEFAULT '["read","catalog","distributions","events","keys"]' NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `previous_secret_ciphertext` text;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `previous_secret_expires_at` integer;--> statement-breakpoint
UPDATE `api_keys` SET `scopes` = '[]' WHERE `type` = 'publishable';
