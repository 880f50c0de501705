import GestionSQLite

/// The server database's schema, as append-only migrations. Never edit a shipped migration:
/// add a new one.
enum ServerSchema {
    static let migrator = Migrator([
        Migration(
            name: "0001-sync-core",
            sql: """
                CREATE TABLE server_meta (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) STRICT;

                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    disabled INTEGER NOT NULL DEFAULT 0
                ) STRICT;

                CREATE TABLE clients (
                    client_id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id),
                    device_name TEXT NOT NULL,
                    app_version TEXT NOT NULL,
                    last_mutation_id INTEGER NOT NULL DEFAULT 0,
                    created_at TEXT NOT NULL,
                    last_seen_at TEXT
                ) STRICT;

                CREATE TABLE tokens (
                    token_hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id),
                    client_id TEXT NOT NULL REFERENCES clients(client_id),
                    issued_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL
                ) STRICT;

                CREATE TABLE records (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    PRIMARY KEY (collection, id)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE change_sets (
                    version INTEGER PRIMARY KEY,
                    committed_at TEXT NOT NULL,
                    client_id TEXT NOT NULL,
                    mutation_id INTEGER NOT NULL,
                    mutation_name TEXT NOT NULL,
                    user_id TEXT NOT NULL
                ) STRICT;

                CREATE TABLE changes (
                    version INTEGER NOT NULL REFERENCES change_sets(version),
                    seq INTEGER NOT NULL,
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    op TEXT NOT NULL CHECK (op IN ('put', 'delete')),
                    body TEXT,
                    PRIMARY KEY (version, seq)
                ) STRICT, WITHOUT ROWID;

                CREATE TABLE mutation_results (
                    client_id TEXT NOT NULL,
                    mutation_id INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
                    code TEXT,
                    message TEXT,
                    resolution TEXT,
                    version INTEGER,
                    occurred_at TEXT NOT NULL,
                    hlc TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (client_id, mutation_id)
                ) STRICT, WITHOUT ROWID;
                """
        ),
        Migration(
            name: "0002-conflicts",
            sql: """
                ALTER TABLE mutation_results ADD COLUMN args TEXT;
                ALTER TABLE mutation_results ADD COLUMN role TEXT;
                CREATE INDEX changes_by_record ON changes (collection, id, version);
                """
        ),
        Migration(
            name: "0003-audit",
            sql: """
                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    action TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    role TEXT NOT NULL,
                    device TEXT NOT NULL,
                    occurred_at TEXT,
                    subjects TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                ) STRICT;
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                """
        ),
        Migration(
            name: "0004-device-registry",
            sql: """
                ALTER TABLE clients ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'retiring', 'retired', 'revoked'));
                ALTER TABLE clients ADD COLUMN pending_count INTEGER;
                ALTER TABLE clients ADD COLUMN oldest_pending_at TEXT;
                ALTER TABLE clients ADD COLUMN last_sync_at TEXT;
                """
        ),
        Migration(
            name: "0005-scopes",
            sql: """
                ALTER TABLE users ADD COLUMN unit TEXT;
                ALTER TABLE records ADD COLUMN partition TEXT;
                CREATE INDEX records_by_partition ON records (partition);
                CREATE TABLE changes_scoped (
                    version INTEGER NOT NULL REFERENCES change_sets(version),
                    seq INTEGER NOT NULL,
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    op TEXT NOT NULL CHECK (op IN ('put', 'delete', 'evict')),
                    body TEXT,
                    partition TEXT,
                    only_for TEXT,
                    PRIMARY KEY (version, seq)
                ) STRICT, WITHOUT ROWID;
                INSERT INTO changes_scoped (version, seq, collection, id, op, body)
                    SELECT version, seq, collection, id, op, body FROM changes;
                DROP TABLE changes;
                ALTER TABLE changes_scoped RENAME TO changes;
                CREATE INDEX changes_by_record ON changes (collection, id, version);
                CREATE INDEX changes_by_partition ON changes (partition, version);
                CREATE INDEX changes_only_for ON changes (only_for, version) WHERE only_for IS NOT NULL;
                CREATE TABLE partition_audience (
                    partition TEXT NOT NULL,
                    tag TEXT NOT NULL,
                    PRIMARY KEY (partition, tag)
                ) STRICT, WITHOUT ROWID;
                CREATE INDEX partition_audience_by_tag ON partition_audience (tag, partition);
                CREATE TABLE audience_history (
                    partition TEXT NOT NULL,
                    tag TEXT NOT NULL,
                    from_version INTEGER NOT NULL,
                    to_version INTEGER
                ) STRICT;
                CREATE INDEX audience_history_by_partition ON audience_history (partition, tag);
                """
        ),
        Migration(
            name: "0006-renewal-grace",
            sql: """
                ALTER TABLE tokens ADD COLUMN replaces TEXT;
                CREATE INDEX tokens_by_replaced ON tokens (replaces) WHERE replaces IS NOT NULL;
                """
        ),
    ])
}
