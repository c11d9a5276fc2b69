-- Written for MySQL 8 and MariaDB 10.11 alike.
CREATE TABLE `member` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `name` VARCHAR(100) NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE INDEX `member_name_key`(`name`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `ticket` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `name` VARCHAR(100) NOT NULL,
    `total_quantity` INTEGER NOT NULL,
    `issued_quantity` INTEGER NOT NULL DEFAULT 0,
    `open_at` DATETIME(3) NOT NULL,
    `close_at` DATETIME(3) NULL,
    `fencing_token` BIGINT NOT NULL DEFAULT 0,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    UNIQUE INDEX `ticket_name_key`(`name`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE `member_ticket` (
    `id` INTEGER NOT NULL AUTO_INCREMENT,
    `ticket_id` INTEGER NOT NULL,
    `member_id` INTEGER NOT NULL,
    `issue_number` INTEGER NOT NULL,
    `request_id` VARCHAR(64) NOT NULL,
    `issued_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `used_at` DATETIME(3) NULL,
    UNIQUE INDEX `member_ticket_ticket_id_member_id_key`(`ticket_id`, `member_id`),
    UNIQUE INDEX `member_ticket_ticket_id_issue_number_key`(`ticket_id`, `issue_number`),
    UNIQUE INDEX `member_ticket_request_id_key`(`request_id`),
    INDEX `member_ticket_member_id_idx`(`member_id`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE `member_ticket` ADD CONSTRAINT `member_ticket_ticket_id_fkey` FOREIGN KEY (`ticket_id`) REFERENCES `ticket`(`id`) ON DELETE RESTRICT ON UPDATE RESTRICT;
ALTER TABLE `member_ticket` ADD CONSTRAINT `member_ticket_member_id_fkey` FOREIGN KEY (`member_id`) REFERENCES `member`(`id`) ON DELETE RESTRICT ON UPDATE RESTRICT;
