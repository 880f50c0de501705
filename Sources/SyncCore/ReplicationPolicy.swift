/// Who sees which records: the application's answer, enforced by the server on every pull and
/// push (partial replication).
///
/// Records are grouped in *partitions* (for mediation: everything about one account). Each
/// partition has an *audience*, a set of tags such as `asesor:ana` or `delegacion:Norte`; each
/// user carries tags too, or `*` for everything. A user sees a partition when the two sets meet.
/// Records outside any partition are seen by the roles `isVisibleOutsidePartitions` allows.
public struct ReplicationPolicy: Sendable {
    /// The tag that sees everything.
    public static let everything = "*"

    /// The partition of a record (`nil`: none, e.g. a registry or the settings).
    public var partition: @Sendable (RecordKey, JSONObject) -> String?
    /// Whether changing a record of this collection can change its partition's audience.
    public var definesAudience: @Sendable (String) -> Bool
    /// The audience of a partition, from its records as they are now.
    public var audience: @Sendable (_ partition: String, _ records: any RecordReading) throws -> Set<String>
    /// The tags of a user.
    public var userTags: @Sendable (UserProfile) -> Set<String>
    /// Whether a role sees records of a collection that belong to no partition.
    public var isVisibleOutsidePartitions: @Sendable (_ collection: String, _ role: String) -> Bool

    public init(
        partition: @escaping @Sendable (RecordKey, JSONObject) -> String?,
        definesAudience: @escaping @Sendable (String) -> Bool,
        audience: @escaping @Sendable (String, any RecordReading) throws -> Set<String>,
        userTags: @escaping @Sendable (UserProfile) -> Set<String>,
        isVisibleOutsidePartitions: @escaping @Sendable (String, String) -> Bool
    ) {
        self.partition = partition
        self.definesAudience = definesAudience
        self.audience = audience
        self.userTags = userTags
        self.isVisibleOutsidePartitions = isVisibleOutsidePartitions
    }

    /// Everyone sees everything: no partitions.
    public static let everyoneSeesEverything = ReplicationPolicy(
        partition: { _, _ in nil }, definesAudience: { _ in false }, audience: { _, _ in [everything] },
        userTags: { _ in [everything] }, isVisibleOutsidePartitions: { _, _ in true }
    )
}

/// What the policy knows of a user.
public struct UserProfile: Sendable, Hashable {
    public var id: String
    public var role: String
    /// The organisation unit the user belongs to (a delegación, a despacho), when the role has one.
    public var unit: String?

    public init(id: String, role: String, unit: String? = nil) {
        self.id = id
        self.role = role
        self.unit = unit
    }
}
