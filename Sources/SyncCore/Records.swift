/// Identifies one record: its collection (`"cuentas"`) and its id within it (`"1234567890"`).
public struct RecordKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var collection: String
    public var id: String

    public init(_ collection: String, _ id: String) {
        self.collection = collection
        self.id = id
    }

    public static func < (a: RecordKey, b: RecordKey) -> Bool {
        (a.collection, a.id) < (b.collection, b.id)
    }

    public var description: String { "\(collection)/\(id)" }
}

/// What happened to one record in a change-set.
public enum RecordOperation: String, Sendable, Codable, Hashable {
    /// The record now has `body` (created or replaced as a whole).
    case put
    /// The record no longer exists.
    case delete
    /// The record left this device's scope (it still exists on the server): remove it from the
    /// replica once no pending mutation of the device touches it.
    case evict
}

/// One record's change: the whole new body for `put`, nothing for `delete`.
public struct RecordChange: Sendable, Hashable, Codable {
    public var collection: String
    public var id: String
    public var op: RecordOperation
    public var body: JSONObject?

    public init(key: RecordKey, body: JSONObject?) {
        self.collection = key.collection
        self.id = key.id
        self.op = body == nil ? .delete : .put
        self.body = body
    }

    /// The record left the receiver's scope.
    public static func evict(_ key: RecordKey) -> RecordChange {
        var change = RecordChange(key: key, body: nil)
        change.op = .evict
        return change
    }

    public var key: RecordKey { RecordKey(collection, id) }
}

/// Everything one server version changed, in order.
public struct ChangeSet: Sendable, Hashable, Codable {
    /// The server's change-log version; strictly increasing, never reused.
    public var version: Int64
    public var changes: [RecordChange]

    public init(version: Int64, changes: [RecordChange]) {
        self.version = version
        self.changes = changes
    }
}

/// Read access to records, as a mutation sees them.
public protocol RecordReading {
    /// The body of the record, or `nil` when it does not exist.
    func record(_ key: RecordKey) throws -> JSONObject?
}

/// What a mutation writes: an overlay over a reader that collects whole-record puts and deletes.
/// The store that runs the mutation persists `changes` in its own transaction.
public struct RecordWriter {
    private let base: any RecordReading
    private var overlay: [RecordKey: JSONObject?] = [:]
    private var order: [RecordKey] = []

    public init(base: any RecordReading) {
        self.base = base
    }

    /// The record as the mutation currently sees it (its own writes included).
    public func record(_ key: RecordKey) throws -> JSONObject? {
        if let written = overlay[key] { return written }
        return try base.record(key)
    }

    /// Creates or replaces the record.
    public mutating func put(_ key: RecordKey, _ body: JSONObject) {
        if overlay.updateValue(body, forKey: key) == nil { order.append(key) }
    }

    /// Deletes the record.
    public mutating func delete(_ key: RecordKey) {
        if overlay.updateValue(nil, forKey: key) == nil { order.append(key) }
    }

    /// The changes written, in the order records were first touched; each key once.
    public var changes: [RecordChange] {
        order.map { RecordChange(key: $0, body: overlay[$0]!) }
    }
}
