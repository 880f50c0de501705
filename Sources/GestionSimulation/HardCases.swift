/// How many times a run reached each hard situation. Counted from what actually happened (the
/// server answered `duplicate`, a result said `Sent to review`, a pull carried an eviction), not
/// from what the simulation tried, so a run whose faults never bit shows zeros.
public struct HardCaseTally: Sendable, Equatable, Codable {
    /// A push committed new mutations and its reply never reached the device.
    public var commitThenReplyLost = 0
    /// The server process died after a push committed and before it answered; it was reopened.
    public var serverCrashAfterCommit = 0
    /// Pushes the server answered with at least one `duplicate: true` result.
    public var duplicateDeliveries = 0
    /// Requests the network delivered twice.
    public var networkDuplicates = 0
    /// Requests delivered late, after newer ones.
    public var delayedDeliveries = 0
    /// Mutations held for a person: results whose resolution says `Sent to review`.
    public var conflictsSentToReview = 0
    /// Conflicts a person resolved (`resolverConflicto` applied).
    public var conflictsResolved = 0
    /// Mutations refused as `superseded` by a concurrent winner.
    public var superseded = 0
    /// Mutations the server refused (any code), counted once each.
    public var rejections = 0
    /// Rejections by the server of the rogue client's illegal actions.
    public var illegalActionsRefused = 0
    /// Actions the device's own rules refused (never queued).
    public var localRefusals = 0
    /// Records a pull told a device to evict (its scope shrank).
    public var evictions = 0
    /// Devices an operator revoked.
    public var revocations = 0
    /// Replicas that erased themselves after a revocation or a retirement.
    public var erasures = 0
    /// Devices an operator retired.
    public var retirements = 0
    /// Retired devices that uploaded everything and erased themselves.
    public var retirementsCompleted = 0
    /// Cases the agency redistributed to another mediator (applied).
    public var redistributions = 0
    /// Automatic closures (day 32, day 91) applied.
    public var automaticClosures = 0
    /// Automatic closures undone by an action recorded in time.
    public var closuresUndone = 0
    /// Mutations whose reported time the server judged implausible (clock skew).
    public var implausibleTimes = 0
    /// Server restarts (idle or after a commit).
    public var serverRestarts = 0
    /// Device processes killed and reopened from disk.
    public var deviceCrashes = 0
    /// Device processes killed while a sync was in flight.
    public var deviceCrashesMidSync = 0
    /// Server requests or operations that failed on an injected write failure.
    public var serverDiskFaults = 0
    /// Replica operations that failed on an injected write failure.
    public var replicaDiskFaults = 0
    /// Devices cut off from the network.
    public var partitions = 0
    /// Other events run while a device's sync was between two requests.
    public var midSyncInterleavings = 0
    /// Users who had to sign in again (expired or lost session, offline lock, erased replica).
    public var signIns = 0

    public init() {}

    /// Every counter with its name, in a fixed order.
    public var counters: [(String, Int)] {
        [
            ("commitThenReplyLost", commitThenReplyLost), ("serverCrashAfterCommit", serverCrashAfterCommit),
            ("duplicateDeliveries", duplicateDeliveries), ("networkDuplicates", networkDuplicates),
            ("delayedDeliveries", delayedDeliveries), ("conflictsSentToReview", conflictsSentToReview),
            ("conflictsResolved", conflictsResolved), ("superseded", superseded), ("rejections", rejections),
            ("illegalActionsRefused", illegalActionsRefused), ("localRefusals", localRefusals), ("evictions", evictions),
            ("revocations", revocations), ("erasures", erasures),
            ("retirements", retirements), ("retirementsCompleted", retirementsCompleted), ("redistributions", redistributions),
            ("automaticClosures", automaticClosures), ("closuresUndone", closuresUndone),
            ("implausibleTimes", implausibleTimes), ("serverRestarts", serverRestarts), ("deviceCrashes", deviceCrashes),
            ("deviceCrashesMidSync", deviceCrashesMidSync), ("serverDiskFaults", serverDiskFaults),
            ("replicaDiskFaults", replicaDiskFaults), ("partitions", partitions),
            ("midSyncInterleavings", midSyncInterleavings), ("signIns", signIns),
        ]
    }

    /// Adds another run's counts.
    public mutating func add(_ other: HardCaseTally) {
        commitThenReplyLost += other.commitThenReplyLost
        serverCrashAfterCommit += other.serverCrashAfterCommit
        duplicateDeliveries += other.duplicateDeliveries
        networkDuplicates += other.networkDuplicates
        delayedDeliveries += other.delayedDeliveries
        conflictsSentToReview += other.conflictsSentToReview
        conflictsResolved += other.conflictsResolved
        superseded += other.superseded
        rejections += other.rejections
        illegalActionsRefused += other.illegalActionsRefused
        localRefusals += other.localRefusals
        evictions += other.evictions
        revocations += other.revocations
        erasures += other.erasures
        retirements += other.retirements
        retirementsCompleted += other.retirementsCompleted
        redistributions += other.redistributions
        automaticClosures += other.automaticClosures
        closuresUndone += other.closuresUndone
        implausibleTimes += other.implausibleTimes
        serverRestarts += other.serverRestarts
        deviceCrashes += other.deviceCrashes
        deviceCrashesMidSync += other.deviceCrashesMidSync
        serverDiskFaults += other.serverDiskFaults
        replicaDiskFaults += other.replicaDiskFaults
        partitions += other.partitions
        midSyncInterleavings += other.midSyncInterleavings
        signIns += other.signIns
    }

    /// The hard cases a run with `faults` must reach, and whether it did: the three
    /// (a crash between commit and reply, a duplicate delivery, a conflict sent to review) and
    /// the scope changes and refusals the workload is built to cause.
    public func requirements(for faults: FaultRates) -> [(name: String, reached: Bool)] {
        var required: [(String, Bool)] = [
            ("a rejection by the server", rejections > 0),
            ("a conflict sent to review", conflictsSentToReview > 0),
            ("a redistribution", redistributions > 0),
            ("an eviction", evictions > 0),
        ]
        if faults.replyLoss > 0 { required.append(("a commit whose reply was lost", commitThenReplyLost > 0)) }
        if faults.serverCrashAfterCommit > 0 {
            required.append(("a server crash between commit and reply", serverCrashAfterCommit > 0))
        }
        if faults.replyLoss > 0 || faults.duplicate > 0 { required.append(("a duplicate delivery", duplicateDeliveries > 0)) }
        if faults.revocations > 0 { required.append(("a revoked device erased", erasures > retirementsCompleted)) }
        if faults.retirements > 0 { required.append(("a retired device erased after uploading", retirementsCompleted > 0)) }
        if faults.deviceCrash > 0 || faults.deviceCrashMidSync > 0 { required.append(("a device crash", deviceCrashes > 0)) }
        if faults.diskFault > 0 {
            required.append(("a write failure", serverDiskFaults + replicaDiskFaults > 0))
        }
        return required
    }
}
