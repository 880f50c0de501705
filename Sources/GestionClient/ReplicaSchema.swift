import GestionSQLite

/// The replica's schema, as append-only migrations. Never edit a shipped migration: add one.
///
/// - `records`: what the app sees: the server's state with the pending mutations applied on top.
/// - `shadows`: the server's version of every record a pending mutation changed locally (a NULL
///   body: the record does not exist on the server). A record without a shadow is as the server has it.
/// - `outbox`: the user's mutations not yet confirmed by a pull, in order; `outbox_touches` says
///   which records each one changed locally.
/// - `rejections`: mutations the server refused (`kind` `rejected`), or applied with a rule's
///   resolution (`resolved`), kept with the reason until the user dismisses them.
/// - `outbox.base_version`: the cursor when the user acted, so the server can tell which changes
///   the device had not seen.
/// - `pending_evictions`: records that left the device's scope while a pending mutation still
///   touches them; removed once the server has confirmed those mutations.
enum ReplicaSchema {
    static let migrator = Migrator([
        Migration(
            name: "0001-replica",
            sql: """
                CREATE TABLE replica_meta (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) STRICT;

                CREATE TABLE records (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (collection, id)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE shadows (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body TEXT,
                    PRIMARY KEY (collection, id)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    args TEXT NOT NULL,
                    occurred_at TEXT NOT NULL,
                    hlc TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    role TEXT NOT NULL,
                    local_error TEXT,
                    result_status TEXT,
                    result_code TEXT,
                    result_message TEXT,
                    result_resolution TEXT
                ) STRICT;

                CREATE TABLE outbox_touches (
                    mutation_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    PRIMARY KEY (mutation_id, collection, id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX outbox_touches_by_record ON outbox_touches (collection, id);

                CREATE TABLE rejections (
                    mutation_id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    args TEXT NOT NULL,
                    occurred_at TEXT NOT NULL,
                    code TEXT NOT NULL,
                    message TEXT NOT NULL,
                    dismissed INTEGER NOT NULL DEFAULT 0
                ) STRICT;

                CREATE TABLE rejection_touches (
                    mutation_id INTEGER NOT NULL REFERENCES rejections(mutation_id) ON DELETE CASCADE,
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    PRIMARY KEY (mutation_id, collection, id)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX rejection_touches_by_record ON rejection_touches (collection, id);
                """
        ),
        Migration(
            name: "0002-conflicts",
            sql: """
                ALTER TABLE outbox ADD COLUMN base_version INTEGER;
                ALTER TABLE rejections ADD COLUMN kind TEXT NOT NULL DEFAULT 'rejected';
                """
        ),
        Migration(
            name: "0003-scopes",
            sql: """
                CREATE TABLE pending_evictions (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    PRIMARY KEY (collection, id)
                ) STRICT, WITHOUT ROWID;
                """
        ),
    ])
}
