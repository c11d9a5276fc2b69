-- Written for MySQL 8 and MariaDB 10.11 alike.
-- A random secret per ticket row that every Redis key, request-id seal and fencing state of the
-- ticket is derived from: after the database is reset or restored (ids reused), the Redis state
-- of an earlier row with the same id is never read. Rows that exist already get one each.
ALTER TABLE `ticket` ADD COLUMN `generation` CHAR(40) NOT NULL DEFAULT '';
UPDATE `ticket` SET `generation` = SHA1(CONCAT(UUID(), '-', RAND(), '-', `id`));
ALTER TABLE `ticket` ALTER COLUMN `generation` DROP DEFAULT;
