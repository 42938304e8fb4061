CREATE TABLE `turnstile_settings` (
	`organization_id` text PRIMARY KEY NOT NULL,
	`site_key` text NOT NULL,
	`secret_ciphertext` text NOT NULL,
	`hostnames` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
