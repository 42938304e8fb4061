ALTER TABLE `sequences` ADD `protection` text DEFAULT '{"challenge":"none","onFailure":"refuse"}' NOT NULL;
