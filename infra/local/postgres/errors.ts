/** A reason the embedded PostgreSQL cannot run, in words that say what to do; the launcher prints it as is. */
export class EmbeddedPostgresError extends Error {}

export const INSTEAD = 'or set DATABASE_URL to a PostgreSQL server of your own';
