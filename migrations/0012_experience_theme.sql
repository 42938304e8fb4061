ALTER TABLE `experiences` ADD `theme` text;
