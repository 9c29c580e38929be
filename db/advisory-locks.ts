// PostgreSQL advisory locks every Atelier process shares, in one list so that no two concerns take the same number.
// A number, once released, never changes: processes of two versions run side by side during an upgrade.

/** migrations, applied by whichever process starts first (db/client.ts) */
export const MIGRATION_LOCK = 74_657_201;
/** an event append (db/migrations/0015_append_event.sql holds the same number): ids are given out in commit order */
export const APPEND_LOCK = 74_657_202;
/** the store marker, written once by whoever starts first (core/store-marker.ts) */
export const MARKER_LOCK = 74_657_203;
