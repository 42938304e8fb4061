ALTER TABLE `refresh_tokens` ADD `session_id` text;
