import Foundation

/// How two mutations that touched the same record without seeing each other are reconciled.
public enum ConflictKind: Sendable, Hashable {
    /// Both apply, in arrival order: their effects do not interfere.
    case commutative
    /// Both apply; each field keeps the value of the later write by hybrid clock (client id as
    /// tie-break), and the losing value is kept in the history. The mutations write their fields
    /// with `FieldStamps`.
    case lastWriterWins
    /// Only one can stand and no rule can say which: the later one is held and both go to a
    /// person in the review queue.
    case exclusive
    /// A form of superseding where the earlier one stands: the later one is judged on the state
    /// the earlier left, and the rules refuse it with their own reason when it no longer fits
    /// (a second reschedule after the first, an answer after another answer).
    case earlierStands
    /// `winner` makes the other moot. If the winner arrives first, the other is refused as
    /// superseded; if it arrives later, it applies and undoes what the other did (its `apply`
    /// knows how).
    case supersedes(winner: String)
}

/// One row of the conflict table: the mutations `first` and `second` (unordered), their kind
/// and why, in words for the documentation.
public struct ConflictRule: Sendable, Hashable {
    public var first: String
    public var second: String
    public var kind: ConflictKind
    public var reason: String

    public init(_ first: String, _ second: String, _ kind: ConflictKind, because reason: String) {
        self.first = first
        self.second = second
        self.kind = kind
        self.reason = reason
    }

    /// The pair, order-independent.
    public var pair: Set<String> { [first, second] }
}

/// The declared conflict rules of an application: one rule per pair of mutations that can touch
/// the same record concurrently.
public struct ConflictRuleTable: Sendable {
    public private(set) var rules: [ConflictRule] = []
    private var byPair: [Set<String>: ConflictRule] = [:]

    public init(_ rules: [ConflictRule] = []) {
        for rule in rules { add(rule) }
    }

    /// Adds a rule. Two rules for one pair are a programmer error.
    public mutating func add(_ rule: ConflictRule) {
        precondition(byPair[rule.pair] == nil, "two conflict rules for \(rule.first) / \(rule.second)")
        if case .supersedes(let winner) = rule.kind {
            precondition(rule.pair.contains(winner), "the winner of \(rule.first) / \(rule.second) is neither")
        }
        rules.append(rule)
        byPair[rule.pair] = rule
    }

    /// The rule for `a` and `b`, in either order.
    public func rule(_ a: String, _ b: String) -> ConflictRule? {
        byPair[[a, b]]
    }

    /// Every pair of registered mutations that can meet on the same record (they share a
    /// conflict collection) and has no rule: the table must leave none.
    public func uncoveredPairs(in registry: MutationRegistry) -> [(String, String)] {
        let names = registry.definitions.keys.sorted()
        var missing: [(String, String)] = []
        for (index, a) in names.enumerated() {
            for b in names[index...] {
                let shared = registry.definitions[a]!.conflictCollections.intersection(registry.definitions[b]!.conflictCollections)
                if !shared.isEmpty, rule(a, b) == nil { missing.append((a, b)) }
            }
        }
        return missing
    }

    /// Rules naming a mutation the registry does not know (stale rows).
    public func unknownNames(in registry: MutationRegistry) -> Set<String> {
        Set(rules.flatMap { [$0.first, $0.second] }).subtracting(registry.definitions.keys)
    }

    /// The table as Markdown, grouped by the first mutation, for `docs/conflict-rules.md`.
    public func markdown(registry: MutationRegistry) -> String {
        var out = "| first | second | kind | why |\n| --- | --- | --- | --- |\n"
        for rule in rules.sorted(by: { ($0.first, $0.second) < ($1.first, $1.second) }) {
            let kind: String
            switch rule.kind {
            case .commutative: kind = "commutative"
            case .lastWriterWins: kind = "last writer wins"
            case .exclusive: kind = "exclusive → review"
            case .earlierStands: kind = "earlier stands"
            case .supersedes(let winner): kind = "`\(winner)` supersedes"
            }
            out += "| `\(rule.first)` | `\(rule.second)` | \(kind) | \(rule.reason) |\n"
        }
        return out
    }
}

/// A conflict that no rule could decide, waiting in the review queue (collection `conflicts`).
/// Its id is `<clientID>-<mutationID>` of the held mutation.
public struct ConflictRecord: Codable, Sendable, Equatable {
    public static let collection = "conflicts"

    /// One side of the conflict: a mutation and who did it, when, on which device.
    public struct Contender: Codable, Sendable, Equatable {
        public var mutation: String
        public var args: JSONObject
        public var userId: String
        public var role: String
        public var clientId: String
        public var mutationId: Int64
        public var occurredAt: Date
        public var hlc: HybridTimestamp
        /// Whether its effect is in place (the one that arrived first) or held.
        public var applied: Bool

        public init(
            mutation: String, args: JSONObject, userId: String, role: String, clientId: String, mutationId: Int64,
            occurredAt: Date, hlc: HybridTimestamp, applied: Bool
        ) {
            self.mutation = mutation
            self.args = args
            self.userId = userId
            self.role = role
            self.clientId = clientId
            self.mutationId = mutationId
            self.occurredAt = occurredAt
            self.hlc = hlc
            self.applied = applied
        }
    }

    /// A person's decision.
    public struct Resolution: Codable, Sendable, Equatable {
        /// `keep` (the applied one stands), `replace` (the held one instead) or `merge`.
        public var choice: String
        public var reason: String
        public var userId: String
        public var role: String
        public var resolvedAt: Date

        public init(choice: String, reason: String, userId: String, role: String, resolvedAt: Date) {
            self.choice = choice
            self.reason = reason
            self.userId = userId
            self.role = role
            self.resolvedAt = resolvedAt
        }
    }

    public var id: String
    /// The records in dispute, as `collection/id`.
    public var targets: [String]
    /// The rule that could not decide.
    public var rule: String
    /// `open` until a person resolves it, then `resolved`.
    public var status: String
    public var contenders: [Contender]
    /// The disputed records as the held mutation's device last saw them (`null`: absent).
    public var base: [String: JSONValue]
    /// Every record the applied contender changed, as it was just before (`null`: absent): what
    /// `replace` restores before applying the held one.
    public var beforeApplied: [String: JSONValue]
    public var detectedAt: Date
    public var resolution: Resolution?

    public init(
        id: String, targets: [String], rule: String, status: String, contenders: [Contender], base: [String: JSONValue],
        beforeApplied: [String: JSONValue], detectedAt: Date, resolution: Resolution?
    ) {
        self.id = id
        self.targets = targets
        self.rule = rule
        self.status = status
        self.contenders = contenders
        self.base = base
        self.beforeApplied = beforeApplied
        self.detectedAt = detectedAt
        self.resolution = resolution
    }

    public var key: RecordKey { RecordKey(Self.collection, id) }

    public static func target(_ key: RecordKey) -> String { "\(key.collection)/\(key.id)" }

    public static func key(fromTarget target: String) -> RecordKey? {
        guard let slash = target.firstIndex(of: "/") else { return nil }
        return RecordKey(String(target[..<slash]), String(target[target.index(after: slash)...]))
    }
}
