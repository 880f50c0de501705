import Foundation
import GestionClient
import Mediacion
import SyncCore

/// The simulation's users' behaviour, for drivers outside this module (the load generator
/// `gestion-load`): what a user of a role does next on what its replica shows.
///
/// ```swift
/// var random = SimRandom(seed: 1)
/// if let action = try RoleWorkload.next(user: "asesor.uno", role: .asesor, replica: replica, now: Date(), random: &random) {
///     try replica.perform(action.name, action.arguments)
/// }
/// ```
public enum RoleWorkload {
    /// One action a user is about to perform.
    public struct Action: Sendable, Equatable {
        /// The mutation's name.
        public var name: String
        /// The mutation's arguments, as `LocalReplica.perform` takes them.
        public var arguments: JSONObject
        /// Whether the user's view says the procedure allows it now (an illegal one is tried on
        /// purpose, now and then, as users do).
        public var legal: Bool
    }

    /// What `user` (of `role`, in organisation `unit`) does next on `replica` at `now`: mostly an
    /// action the procedure allows on what the device shows, now and then one it does not;
    /// `nil` when there is nothing to do. Every choice is drawn from `random`.
    ///
    /// - Throws: `ReplicaError` when the replica cannot be read (e.g. it locked itself).
    public static func next(
        user: String, role: Rol, unit: String? = nil, replica: LocalReplica, now: Date, random: inout SimRandom
    ) throws(ReplicaError) -> Action? {
        let view = try LocalView(replica: replica)
        let planned = Workload.plan(for: SimUser(id: user, role: role, unit: unit), view: view, now: now, random: &random)
        return planned.map { Action(name: $0.name, arguments: $0.args, legal: $0.legal) }
    }
}
