// One driver (postgres.js) and drizzle; migrations applied at start-up, serialised with an advisory lock.
import postgres, { type Sql } from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';
import { MIGRATION_LOCK } from './advisory-locks.ts';

export type Db = PostgresJsDatabase<typeof schema>;
export interface Database { sql: Sql; db: Db; close(): Promise<void> }

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {}, connect_timeout: 10 });
  return { sql, db: drizzle(sql, { schema }), close: () => sql.end({ timeout: 5 }) };
}

export async function migrate(sql: Sql): Promise<string[]> {
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS atelier_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set((await tx`SELECT name FROM atelier_migrations`).map((r) => r.name as string));
    const applied: string[] = [];
    for (const file of files.filter((f) => !done.has(f))) {
      await tx.unsafe(await fs.readFile(path.join(MIGRATIONS_DIR, file), 'utf8'));
      await tx`INSERT INTO atelier_migrations (name) VALUES (${file})`;
      applied.push(file);
    }
    return applied;
  });
}
