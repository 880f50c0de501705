import Foundation
import GestionCrypto
import GestionSQLite
import SyncCore

/// One entry of the audit trail: who did what, when (by their device and by the server), on
/// which device, to which records, with what outcome. Never personal data: records are named by
/// key, outcomes by code.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// Position in the chain, from 1.
    public var seq: Int64
    /// Server time of the entry.
    public var at: Date
    /// `mutation`, `login`, `login_failed`, `login_blocked`, `admin`...
    public var kind: String
    /// The mutation or admin action, e.g. `registrarAceptacion`, `user add`.
    public var action: String
    public var actor: String
    public var role: String
    public var device: String
    /// When the actor says it happened (device time), for mutations.
    public var occurredAt: Date?
    /// The records concerned, as `collection/id`.
    public var subjects: [String]
    /// `applied`, `rejected:<code>`, `review`, `ok`, `refused`...
    public var outcome: String
    /// Hash of the previous entry (empty for the first).
    public var previousHash: String
    /// SHA-256 over the previous hash and this entry's canonical JSON.
    public var hash: String

    public init(
        kind: String, action: String, actor: String, role: String, device: String, occurredAt: Date? = nil,
        subjects: [String] = [], outcome: String
    ) {
        self.seq = 0
        self.at = .distantPast
        self.kind = kind
        self.action = action
        self.actor = actor
        self.role = role
        self.device = device
        self.occurredAt = occurredAt
        self.subjects = subjects
        self.outcome = outcome
        self.previousHash = ""
        self.hash = ""
    }

    /// The hash this entry must carry, computed from its content and `previousHash`.
    public var expectedHash: String {
        var content = self
        content.hash = ""
        return SHA256.hash(Array(previousHash.utf8) + JSONSerializer.bytes(content.canonicalValue)).hexString
    }

    /// The entry as the `Codable` encoder writes it (the same canonical bytes once serialized),
    /// built by hand: the encoder was most of the cost of chaining an entry, inside the writer's
    /// critical section. A test compares the two; the chain's hashes depend on them being equal.
    var canonicalValue: JSONValue {
        var members: JSONObject = [
            "seq": .int(seq), "at": .string(RFC3339.string(from: at)), "kind": .string(kind), "action": .string(action),
            "actor": .string(actor), "role": .string(role), "device": .string(device), "subjects": .array(subjects.map(JSONValue.string)),
            "outcome": .string(outcome), "previousHash": .string(previousHash), "hash": .string(hash),
        ]
        if let occurredAt { members["occurredAt"] = .string(RFC3339.string(from: occurredAt)) }
        return .object(members)
    }
}

/// The result of checking the chain.
public struct AuditVerification: Sendable, Equatable {
    public var entries: Int
    /// The first entry whose hash or link does not match, if any.
    public var firstBroken: Int64?
    public var problem: String?

    public var isIntact: Bool { firstBroken == nil }
}

/// Which entries to export.
public struct AuditFilter: Sendable, Equatable {
    /// Entries naming this record (`collection/id`) or any record whose id starts with this text.
    public var subject: String?
    public var from: Date?
    public var to: Date?

    public init(subject: String? = nil, from: Date? = nil, to: Date? = nil) {
        self.subject = subject
        self.from = from
        self.to = to
    }
}

/// The append-only, hash-chained audit table. Appends happen in the same transaction as what
/// they record.
enum AuditTrail {
    static func append(_ entry: AuditEntry, at: Date, db: Connection) throws {
        let last = try db.queryOne("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        var entry = entry
        entry.seq = (last?.int64(at: 0) ?? 0) + 1
        entry.at = at
        entry.previousHash = last?.string(at: 1) ?? ""
        entry.hash = entry.expectedHash
        try db.run(
            """
            INSERT INTO audit_log (seq, at, kind, action, actor, role, device, occurred_at, subjects, outcome, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                entry.seq, RFC3339.string(from: entry.at), entry.kind, entry.action, entry.actor, entry.role, entry.device,
                entry.occurredAt.map(RFC3339.string(from:)), JSONSerializer.string(.array(entry.subjects.map(JSONValue.string))),
                entry.outcome, entry.previousHash, entry.hash,
            ] as [any SQLiteBindable]
        )
    }

    static func entry(_ row: borrowing RowCursor) throws -> AuditEntry {
        var entry = AuditEntry(
            kind: row.string(at: 2) ?? "", action: row.string(at: 3) ?? "", actor: row.string(at: 4) ?? "",
            role: row.string(at: 5) ?? "", device: row.string(at: 6) ?? "",
            occurredAt: row.string(at: 7).flatMap(RFC3339.date(from:)),
            subjects: (try JSONParser.parse(Array((row.string(at: 8) ?? "[]").utf8))).arrayValue?.compactMap(\.stringValue) ?? [],
            outcome: row.string(at: 9) ?? ""
        )
        entry.seq = row.int64(at: 0) ?? 0
        entry.at = RFC3339.date(from: row.string(at: 1) ?? "") ?? .distantPast
        entry.previousHash = row.string(at: 10) ?? ""
        entry.hash = row.string(at: 11) ?? ""
        return entry
    }

    static let columns = "seq, at, kind, action, actor, role, device, occurred_at, subjects, outcome, previous_hash, hash"

    /// Walks the chain from the first entry: each entry's link must be the previous hash, its
    /// hash must match its content, and the sequence must have no holes.
    static func verify(db: Connection) throws -> AuditVerification {
        var count = 0
        var previous = ""
        var expectedSeq: Int64 = 1
        var broken: (Int64, String)?
        try db.forEachRow("SELECT \(columns) FROM audit_log ORDER BY seq") { row in
            count += 1
            guard broken == nil else { return }
            let entry = try Self.entry(row)
            if entry.seq != expectedSeq {
                broken = (expectedSeq, "entry \(expectedSeq) is missing")
            } else if entry.previousHash != previous {
                broken = (entry.seq, "entry \(entry.seq) does not link to entry \(entry.seq - 1)")
            } else if entry.hash != entry.expectedHash {
                broken = (entry.seq, "entry \(entry.seq) was changed after it was written")
            }
            previous = entry.hash
            expectedSeq = entry.seq + 1
        }
        return AuditVerification(entries: count, firstBroken: broken?.0, problem: broken?.1)
    }

    static func entries(_ filter: AuditFilter, db: Connection) throws -> [AuditEntry] {
        var result: [AuditEntry] = []
        try db.forEachRow("SELECT \(columns) FROM audit_log ORDER BY seq") { row in
            let entry = try Self.entry(row)
            if let from = filter.from, entry.at < from { return }
            if let to = filter.to, entry.at >= to { return }
            if let subject = filter.subject {
                guard entry.subjects.contains(where: { $0 == subject || $0.split(separator: "/").last?.hasPrefix(subject) == true })
                else { return }
            }
            result.append(entry)
        }
        return result
    }
}
