import Foundation

/// What a person decides about a conflict in the review queue.
public enum ConflictChoice: String, Codable, Sendable, CaseIterable {
    /// The action in place stands; the held one is dropped.
    case keep
    /// The held action replaces the one in place: the disputed records go back to how the held
    /// action's device saw them, and the held action is applied.
    case replace
    /// The disputed record gets the values the person typed, checked like any record.
    case merge
}

/// The effect of resolving a conflict, for the domain's resolution mutation to call. The
/// resolution is itself a mutation: it syncs to every device and is attributable.
public enum ConflictResolver {
    /// Resolves conflict `id` with `choice`, or refuses.
    ///
    /// - Parameters:
    ///   - merge: for `.merge`, the members to set on the first disputed record.
    ///   - validate: checks a merged record the way the domain checks its records.
    ///   - preserve: records `replace` must not undo (a history that keeps both actions).
    public static func resolve(
        id: String, choice: ConflictChoice, reason: String, merge: JSONObject?, context: MutationContext,
        records: inout RecordWriter, registry: MutationRegistry, validate: (RecordKey, JSONObject) throws -> Void,
        preserve: (RecordKey) -> Bool = { _ in false }
    ) throws -> MutationOutcome {
        let key = RecordKey(ConflictRecord.collection, id)
        guard let body = try records.record(key) else {
            throw MutationRejection(code: "conflict_not_found", message: "There is no conflict with that number in the review queue.")
        }
        var conflict = try JSONValueDecoder().decode(ConflictRecord.self, from: .object(body))
        guard conflict.status == "open" else {
            throw MutationRejection(code: "conflict_already_resolved", message: "This conflict was already resolved by someone else.")
        }
        guard reason.trimmingCharacters(in: .whitespacesAndNewlines).count >= 5 else {
            throw MutationRejection(code: "reason_required", message: "Say why you resolve the conflict this way (at least a few words).")
        }
        switch choice {
        case .keep:
            break
        case .replace:
            guard let held = conflict.contenders.first(where: { !$0.applied }) else {
                throw MutationRejection(code: "conflict_not_found", message: "The conflict has no held action to apply.")
            }
            // Undo the applied action, then apply the held one as its author did it.
            for (target, value) in conflict.beforeApplied {
                guard let targetKey = ConflictRecord.key(fromTarget: target), !preserve(targetKey) else { continue }
                if case .object(let before) = value { records.put(targetKey, before) } else { records.delete(targetKey) }
            }
            let heldContext = MutationContext(
                author: MutationAuthor(userID: held.userId, role: held.role, clientID: held.clientId), mutationID: held.mutationId,
                occurredAt: held.occurredAt, hlc: held.hlc, now: context.now, authority: context.authority
            )
            do {
                _ = try registry.apply(name: held.mutation, arguments: held.args, context: heldContext, to: &records)
            } catch let rejection as MutationRejection {
                throw MutationRejection(
                    code: "held_action_refused", message: "The held action cannot be applied: \(rejection.message)"
                )
            }
        case .merge:
            guard let merge, !merge.isEmpty else {
                throw MutationRejection(code: "merge_values_required", message: "Give the values of the merged record.")
            }
            guard let first = conflict.targets.first.flatMap(ConflictRecord.key(fromTarget:)) else {
                throw MutationRejection(code: "conflict_not_found", message: "The conflict names no record to merge.")
            }
            var merged = try records.record(first) ?? [:]
            for (field, value) in merge { merged[field] = value }
            try validate(first, merged)
            records.put(first, merged)
        }
        conflict.status = "resolved"
        conflict.resolution = ConflictRecord.Resolution(
            choice: choice.rawValue, reason: reason, userId: context.author.userID, role: context.author.role,
            resolvedAt: context.occurredAt
        )
        guard case .object(let resolved) = try JSONValueEncoder().encode(conflict) else { return .applied }
        records.put(key, resolved)
        return .applied
    }
}
