import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationError } from './errors.js';

export interface MigrationFile {
  /** The folder name, e.g. 20261125000000_init; folders apply in name order. */
  name: string;
  script: string;
  /** sha256 hex of the file, as Prisma records it. */
  checksum: string;
}

export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    throw new MigrationError(`cannot read the migrations folder ${migrationsDir}`, { cause: error });
  }
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(
    names.map(async (name) => {
      const path = join(migrationsDir, name, 'migration.sql');
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        throw new MigrationError(`migration ${name} has no readable migration.sql`, { cause: error });
      }
      return { name, script: bytes.toString('utf8'), checksum: sha256(bytes) };
    }),
  );
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Whether the script is the one that was applied. Like Prisma, a change of line endings alone
 * (git's autocrlf on another machine) does not count as a change.
 */
export function checksumMatches(script: string, checksum: string): boolean {
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\r?\n/g, '\r\n')];
  return variants.some((variant) => sha256(variant) === checksum);
}

/** A script of only comments and whitespace: the server rejects it as an empty query. */
export function isEmptyScript(script: string): boolean {
  return (
    script
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(--|#)[^\n]*/g, '')
      .trim() === ''
  );
}
