import { checksumMatches, type MigrationFile } from './files.js';
import { MigrationError } from './errors.js';

/**
 * Prisma's own history table, column for column as `prisma migrate deploy` creates it on MySQL,
 * so a team can switch to Prisma's CLI later and find its history in place.
 */
export const CREATE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                  VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum            VARCHAR(64) NOT NULL,
    finished_at         DATETIME(3),
    migration_name      VARCHAR(255) NOT NULL,
    logs                TEXT,
    rolled_back_at      DATETIME(3),
    started_at          DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

export const SELECT_HISTORY = `SELECT migration_name, checksum, finished_at, rolled_back_at, logs
  FROM _prisma_migrations ORDER BY started_at, migration_name`;

export interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
  rolled_back_at: Date | string | null;
  logs: string | null;
}

/**
 * The migrations still to apply, in order. Refuses, as Prisma does, when an applied migration's
 * file has changed or an earlier attempt failed halfway (MySQL cannot roll DDL back, so only a
 * person can tell what state it left). Rolled-back attempts are ignored; history rows without
 * a folder (applied by a newer release) are left alone.
 */
export function pendingMigrations(files: readonly MigrationFile[], history: readonly HistoryRow[]): MigrationFile[] {
  const live = new Map<string, HistoryRow>();
  for (const row of history) if (row.rolled_back_at === null) live.set(row.migration_name, row);

  return files.filter((file) => {
    const row = live.get(file.name);
    if (row === undefined) return true;
    if (row.finished_at === null) {
      throw new MigrationError(
        `migration ${file.name} failed in an earlier run${row.logs ? ` (${row.logs})` : ''}; repair the database, ` +
          `then mark it rolled back (prisma migrate resolve --rolled-back ${file.name}) to apply it again`,
      );
    }
    if (!checksumMatches(file.script, row.checksum)) {
      throw new MigrationError(
        `migration ${file.name} was changed after it was applied (recorded checksum ${row.checksum}, ` +
          `file ${file.checksum}); restore the file and put the change in a new migration`,
      );
    }
    return false;
  });
}
