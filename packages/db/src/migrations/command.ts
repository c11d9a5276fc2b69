import { loadConfig } from '@ticketing/config';
import { redactDatabaseUrl } from '../connection.js';
import { runMigrations } from './runner.js';

export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The migrate CLI without the process around it: prints, and answers the exit code. */
export async function migrateCommand(env: NodeJS.ProcessEnv, output: CommandOutput, migrationsDir?: string): Promise<number> {
  try {
    const { DATABASE_URL } = loadConfig(env);
    const report = await runMigrations({
      databaseUrl: DATABASE_URL,
      ...(migrationsDir === undefined ? {} : { migrationsDir }),
      onApplied: (name) => output.out(`applied ${name}`),
    });
    if (report.applied.length === 0) output.out(`no pending migrations in ${redactDatabaseUrl(DATABASE_URL)}`);
    return 0;
  } catch (error) {
    output.err(`migrate failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
