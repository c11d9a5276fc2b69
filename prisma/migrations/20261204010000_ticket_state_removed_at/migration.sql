-- Written for MySQL 8 and MariaDB 10.11 alike.
-- When the workers removed the ticket's Redis state, RESULT_TTL_S after its sale ended: from then on
-- its requests are answered from this database (issued ones ISSUED, any other 410).
ALTER TABLE `ticket` ADD COLUMN `state_removed_at` DATETIME(3) NULL;
