/** A migration run refused or failed; the message names the migration and says what to do. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}
