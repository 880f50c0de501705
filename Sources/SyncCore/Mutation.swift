import Foundation

/// Who performed a mutation: the user, its role, and the device (client) it used.
public struct MutationAuthor: Sendable, Hashable, Codable {
    public var userID: String
    /// The role name of the user when it acted (`"asesor"`, `"mediador"`...).
    public var role: String
    public var clientID: String

    public init(userID: String, role: String, clientID: String) {
        self.userID = userID
        self.role = role
        self.clientID = clientID
    }
}

/// Where a mutation runs. The same code runs in both places.
public enum MutationAuthority: String, Sendable, Codable {
    /// On the device, optimistically: the server will decide.
    case device
    /// On the server: the decision is final.
    case server
}

/// Everything a mutation may know besides its arguments and the records.
/// A mutation never reads a clock: time comes from here.
public struct MutationContext: Sendable {
    public var author: MutationAuthor
    /// Per-client mutation number (1, 2, 3...).
    public var mutationID: Int64
    /// When the action counts: the time the user did it (by the device's clock) when that time is
    /// plausible; otherwise the server's arrival time (see `timeNote`). Deadlines are judged on it.
    public var occurredAt: Date
    /// The time the device reported, as it came.
    public var reportedOccurredAt: Date
    /// Set by the server when the reported time was implausible and `occurredAt` is the arrival
    /// time instead: why, in words for people (for the case history).
    public var timeNote: String?
    /// The device's hybrid logical clock reading when the user did it.
    public var hlc: HybridTimestamp
    /// When the mutation is being applied: arrival time on the server, local time on the device.
    public var now: Date
    public var authority: MutationAuthority

    public init(
        author: MutationAuthor, mutationID: Int64, occurredAt: Date, hlc: HybridTimestamp, now: Date,
        authority: MutationAuthority, reportedOccurredAt: Date? = nil, timeNote: String? = nil
    ) {
        self.author = author
        self.mutationID = mutationID
        self.occurredAt = occurredAt
        self.reportedOccurredAt = reportedOccurredAt ?? occurredAt
        self.timeNote = timeNote
        self.hlc = hlc
        self.now = now
        self.authority = authority
    }

    /// The stamp that orders this mutation's writes for last-writer-wins: its hybrid clock
    /// reading, then its client id.
    public var stamp: WriteStamp { WriteStamp(hlc: hlc, clientID: author.clientID) }
}

/// A mutation refused by a rule: a stable code for programs and a message for people
/// (a field supervisor must understand it). Never carries personal data.
public struct MutationRejection: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// The mutation name is not registered.
    public static func unknownMutation(_ name: String) -> MutationRejection {
        MutationRejection(code: "unknown_mutation", message: "Unknown action \"\(name)\": this app version does not know it.")
    }

    /// The arguments do not have the expected shape.
    public static func invalidArguments(_ detail: String) -> MutationRejection {
        MutationRejection(code: "invalid_arguments", message: "The action's data is not valid: \(detail).")
    }

    /// The author's role may not perform the mutation.
    public static func roleNotAllowed(mutation: String, role: String) -> MutationRejection {
        MutationRejection(
            code: "role_not_allowed", message: "The role \(role) may not perform \"\(mutation)\"."
        )
    }
}

/// What a successful mutation reports besides its record changes.
public struct MutationOutcome: Sendable, Hashable, Codable {
    /// Set when a rule decided something on the user's behalf (e.g. a concurrent edit won);
    /// shown to the user next to the action.
    public var resolution: String?

    public init(resolution: String? = nil) {
        self.resolution = resolution
    }

    public static let applied = MutationOutcome()
}

/// A named, typed mutation. Its stored properties are its arguments, with the same names on the
/// wire. Client (optimistically) and server (authoritatively) run the same `apply`.
public protocol Mutation: Codable, Sendable {
    /// The wire name, e.g. `"registrarAceptacion"`.
    static var name: String { get }
    /// One line for people and docs.
    static var summary: String { get }
    /// Role names that may perform it.
    static var allowedRoles: Set<String> { get }
    /// Whether a device can perform it offline. `false` when it needs knowledge only the server has.
    static var worksOffline: Bool { get }

    /// Checks the preconditions on the records and writes the effect, or throws `MutationRejection`.
    /// Other errors are failures of the store, not decisions.
    func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome

    /// The records whose concurrent changes by others the conflict rules must judge before this
    /// mutation applies (e.g. the case it acts on). Empty: no conflict checks.
    func conflictTargets() -> [RecordKey]

    /// The collections of the records `conflictTargets()` returns: two mutations that share one
    /// can meet on the same record, so the conflict table must have a rule for them.
    static var conflictCollections: Set<String> { get }
}

extension Mutation {
    public func conflictTargets() -> [RecordKey] { [] }
    public static var conflictCollections: Set<String> { [] }
}

/// A registered mutation, type-erased.
public struct MutationDefinition: Sendable {
    public let name: String
    public let summary: String
    public let allowedRoles: Set<String>
    public let worksOffline: Bool
    /// See `Mutation.conflictCollections`.
    public let conflictCollections: Set<String>
    let run: @Sendable (JSONObject, MutationContext, inout RecordWriter) throws -> MutationOutcome
    let targets: @Sendable (JSONObject) -> [RecordKey]
}

/// The mutations an application knows. Client and server are built with the same registry.
public struct MutationRegistry: Sendable {
    public private(set) var definitions: [String: MutationDefinition] = [:]
    /// How concurrent mutations of the same record are reconciled.
    public var conflictRules = ConflictRuleTable()
    /// Who sees which records.
    public var replication = ReplicationPolicy.everyoneSeesEverything

    public init() {}

    /// Registers `type` under `type.name`. Registering a name twice is a programmer error.
    public mutating func register<M: Mutation>(_ type: M.Type) {
        precondition(definitions[M.name] == nil, "mutation \(M.name) registered twice")
        let fields = ArgumentNames()
        definitions[M.name] = MutationDefinition(
            name: M.name, summary: M.summary, allowedRoles: M.allowedRoles, worksOffline: M.worksOffline,
            conflictCollections: M.conflictCollections,
            run: { arguments, context, writer in
                let mutation = try Self.decode(M.self, from: arguments, fields: fields)
                return try mutation.apply(context, &writer)
            },
            targets: { arguments in (try? Self.decode(M.self, from: arguments, fields: fields))?.conflictTargets() ?? [] }
        )
    }

    /// The argument names of one mutation type (its stored properties), found by reflection on
    /// the first decoded value and kept: reflecting every mutation was a tenth of a push's CPU.
    final class ArgumentNames: @unchecked Sendable {
        private let lock = NSLock()
        private var names: Set<String>?

        func of(_ mutation: some Mutation) -> Set<String> {
            lock.lock()
            defer { lock.unlock() }
            if let names { return names }
            let found = Set(Mirror(reflecting: mutation).children.compactMap(\.label))
            names = found
            return found
        }
    }

    /// The records whose concurrent changes matter to mutation `name` with `arguments`; empty
    /// for unknown names or malformed arguments (those are refused when applied).
    public func conflictTargets(name: String, arguments: JSONObject) -> [RecordKey] {
        definitions[name]?.targets(arguments) ?? []
    }

    public func definition(named name: String) -> MutationDefinition? { definitions[name] }

    /// Runs mutation `name` with `arguments`: checks it is known, that the author's role may
    /// perform it, that the arguments are well formed, then applies it to `writer`.
    ///
    /// - Throws: `MutationRejection` for every refusal; other errors come from the store.
    public func apply(
        name: String, arguments: JSONObject, context: MutationContext, to writer: inout RecordWriter
    ) throws -> MutationOutcome {
        guard let definition = definitions[name] else { throw MutationRejection.unknownMutation(name) }
        guard definition.allowedRoles.contains(context.author.role) else {
            throw MutationRejection.roleNotAllowed(mutation: name, role: context.author.role)
        }
        return try definition.run(arguments, context, &writer)
    }

    static func decode<M: Mutation>(
        _ type: M.Type, from arguments: JSONObject, fields: ArgumentNames
    ) throws(MutationRejection) -> M {
        let mutation: M
        do {
            mutation = try JSONValueDecoder().decode(M.self, from: .object(arguments))
        } catch {
            throw MutationRejection.invalidArguments(error.description)
        }
        let known = fields.of(mutation)
        let unknown = arguments.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            let list = unknown.map { "\"\($0)\"" }.joined(separator: ", ")
            throw MutationRejection.invalidArguments("unknown field \(list)")
        }
        return mutation
    }
}
