export { createPrisma, pingDatabase, type PrismaOptions } from './prisma.js';
export { PrismaTicketStore } from './ticketStore.js';
export { PrismaMemberStore } from './memberStore.js';
export { reportingUnavailability } from './unavailability.js';
export { parseDatabaseUrl, type DatabaseAddress } from './connection.js';
export { tolerateDriverSetupRejections } from './driverRejections.js';
export {
  runMigrations,
  MigrationError,
  type MigrationOptions,
  type MigrationReport,
} from './migrations/runner.js';
export { PrismaClient } from './generated/prisma/client.js';
