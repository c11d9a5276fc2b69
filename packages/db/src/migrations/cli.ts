// `npm run migrate`: creates the database if missing and applies prisma/migrations.
import { migrateCommand } from './command.js';

process.exitCode = await migrateCommand(process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
