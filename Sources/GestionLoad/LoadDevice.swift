import Foundation
import GestionClient
import GestionProtocol
import Mediacion
import Synchronization

/// Latencies of a run, in milliseconds, by what was timed.
final class LatencyLog: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        /// One `POST /sync/push` round trip, seen by the device.
        case push
        /// One pull page round trip, seen by the device.
        case pull
        /// One whole `SyncClient.sync()`: push, pull pages, applying them to the replica.
        case sync
    }

    private let samples = Mutex<[Kind: [Double]]>([:])

    func record(_ kind: Kind, milliseconds: Double) {
        samples.withLock { $0[kind, default: []].append(milliseconds) }
    }

    func values(_ kind: Kind) -> [Double] { samples.withLock { $0[kind] ?? [] } }

    /// Stops counting: the drain at the end is not load.
    func freeze() -> [Kind: [Double]] { samples.withLock { $0 } }
}

/// The network of one device as the load run controls it: it can be cut (the transport then
/// fails at once, as with no signal), and it times every request.
final class DeviceNetwork: Sendable {
    private let state = Mutex<(offline: Bool, timing: Bool)>((false, true))
    let latencies: LatencyLog

    init(latencies: LatencyLog) { self.latencies = latencies }

    var isOffline: Bool { state.withLock { $0.offline } }
    func setOffline(_ offline: Bool) { state.withLock { $0.offline = offline } }
    var isTiming: Bool { state.withLock { $0.timing } }
    func stopTiming() { state.withLock { $0.timing = false } }
    func resumeTiming() { state.withLock { $0.timing = true } }
}

/// `URLSessionTransport` behind the device's network switch, timing each push and pull.
struct MeteredTransport: SyncTransport {
    let inner: URLSessionTransport
    let network: DeviceNetwork

    func send(_ endpoint: Endpoint, body: [UInt8]?, token: String?) async throws(TransportError) -> TransportReply {
        if network.isOffline { throw TransportError("no signal (the load run cut this device off)") }
        let started = ContinuousClock.now
        let reply = try await inner.send(endpoint, body: body, token: token)
        if network.isTiming, reply.status == 200 {
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            switch endpoint {
            case .push: network.latencies.record(.push, milliseconds: milliseconds)
            case .pull: network.latencies.record(.pull, milliseconds: milliseconds)
            default: break
            }
        }
        return reply
    }
}

/// One simulated field or office device: a real replica file, its sync client over HTTP, and
/// the user working on it.
final class LoadDevice: Sendable {
    let index: Int
    let user: LoadUser
    let replica: LocalReplica
    let client: SyncClient
    let network: DeviceNetwork

    init(index: Int, user: LoadUser, directory: URL, latencies: LatencyLog, requestTimeout: TimeInterval) throws {
        self.index = index
        self.user = user
        let network = DeviceNetwork(latencies: latencies)
        self.network = network
        replica = try LocalReplica(path: directory.appendingPathComponent("device-\(index).sqlite").path, registry: Mediacion.registry)
        client = SyncClient(replica: replica, appVersion: "gestion-load/1") { url in
            MeteredTransport(inner: URLSessionTransport(baseURL: url, timeout: requestTimeout), network: network)
        }
    }

    var label: String { "d\(index) \(user.id)" }
    var clientID: String { replica.clientID }

    /// Office devices sync after most actions; phones and laptops less often.
    var syncAfterAction: Double {
        switch user.role {
        case .agencia, .delegacion, .mediacion, .operacion: 0.7
        case .mediador: 0.3
        case .asesor: 0.25
        }
    }

    /// Asesores' phones and mediators' laptops lose the network; office devices do not.
    var isFieldDevice: Bool { user.role == .asesor || user.role == .mediador }
}
