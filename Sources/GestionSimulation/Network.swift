import Foundation
import GestionClient
import GestionHTTP
import GestionProtocol
import Mediacion
import SyncCore

/// The transport a simulated device's `SyncClient` uses: every request goes through the
/// simulation's network.
struct SimTransport: SyncTransport {
    let simulation: Simulation
    /// The device index, or `Rogue.node` for the rogue client.
    let node: Int

    func send(_ endpoint: Endpoint, body: [UInt8]?, token: String?) async throws(TransportError) -> TransportReply {
        try await simulation.route(from: node, endpoint, body: body ?? [], token: token)
    }
}

/// A request the network holds and delivers at a later step; its sender gave up on it.
struct DelayedRequest {
    var due: Int
    var sequence: Int
    var node: Int
    var endpoint: Endpoint
    var body: [UInt8]
    var token: String?
    var copy: Bool
}

/// What became of a request the server handled.
struct Delivery {
    var status: Int
    var body: [UInt8]
    /// A push reached the point where it is durable.
    var committed: Bool
    /// A push that processed at least one mutation for the first time.
    var committedNew: Bool
    /// The server process died before answering.
    var crashed: Bool
}

extension Simulation {
    static let maxDelaySteps = 6

    func label(_ node: Int) -> String { node == Rogue.node ? "rogue" : devices[node].label }

    /// Carries one request from `node` to the server and maybe its reply back, with the faults
    /// of the run: interleaved events, partitions, drops, delays, duplicates, crashes of either
    /// side, lost replies.
    func route(from node: Int, _ endpoint: Endpoint, body: [UInt8], token: String?) async throws(TransportError) -> TransportReply {
        let what = "net \(label(node)) \(endpoint.path.split(separator: "/").last ?? "")"
        let device = node == Rogue.node ? nil : devices[node]
        if device?.crashed == true { throw TransportError("the app is not running") }
        if let scripted = beforeRequest.firstIndex(where: { $0.node == node && $0.endpoint == endpoint }) {
            let action = beforeRequest.remove(at: scripted).action
            if node != Rogue.node { devices[node].interleavedDuringSync = true }
            await action()
        }
        if let device, !healing, !interleaving, random.chance(rates.interleave) {
            await interleave(around: device.index)
        }
        if device?.partitioned == true || (node == Rogue.node && rogue.partitioned) {
            trace.record(step, "\(what) unreachable")
            throw TransportError("no network")
        }
        if random.chance(rates.requestDrop) {
            trace.record(step, "\(what) dropped")
            throw TransportError("request lost")
        }
        if random.chance(rates.delay) {
            hold(node, endpoint, body: body, token: token, copy: false)
            trace.record(step, "\(what) delayed")
            throw TransportError("timed out")
        }
        if let device, random.chance(rates.deviceCrashMidSync) {
            // The app dies with the request in flight; the request may still arrive.
            if random.chance(0.5) {
                let delivery = deliver(from: node, endpoint, body: body, token: token)
                if delivery.committedNew { tally.commitThenReplyLost += 1 }
            }
            crash(device.index, midSync: true)
            throw TransportError("the app was killed")
        }
        let crashAfterCommit = endpoint == .push && random.chance(rates.serverCrashAfterCommit)
        var delivery = deliver(from: node, endpoint, body: body, token: token)
        if delivery.committed, crashAfterCommit || (armedCrashAfterCommit && delivery.committedNew) {
            // The process dies with the push durable and its reply not yet written.
            if delivery.committedNew { armedCrashAfterCommit = false }
            restartServer(reason: "after commit, before reply")
            delivery.crashed = true
        }
        if random.chance(rates.duplicate) {
            tally.networkDuplicates += 1
            if random.chance(0.5) {
                trace.record(step, "\(what) duplicated")
                _ = deliver(from: node, endpoint, body: body, token: token)
            } else {
                trace.record(step, "\(what) duplicate held")
                hold(node, endpoint, body: body, token: token, copy: true)
            }
        }
        if delivery.crashed {
            if delivery.committedNew { tally.serverCrashAfterCommit += 1 }
            throw TransportError("connection reset")
        }
        if random.chance(rates.replyLoss) || (armedReplyLoss && delivery.committedNew) {
            if delivery.committedNew {
                tally.commitThenReplyLost += 1
                armedReplyLoss = false
            }
            trace.record(step, "\(what) reply lost")
            throw TransportError("reply lost")
        }
        received(by: node, endpoint, request: body, reply: delivery)
        return TransportReply(status: delivery.status, body: delivery.body)
    }

    private func hold(_ node: Int, _ endpoint: Endpoint, body: [UInt8], token: String?, copy: Bool) {
        delayedSequence += 1
        delayed.append(
            DelayedRequest(
                due: step + random.int(in: 1...Self.maxDelaySteps), sequence: delayedSequence, node: node, endpoint: endpoint,
                body: body, token: token, copy: copy
            )
        )
    }

    /// Delivers the held requests that are due (all of them when the network heals), in a
    /// random order among those due together; their replies reach nobody.
    func deliverDelayed(all: Bool = false) {
        let due = delayed.filter { all || $0.due <= step }.sorted { ($0.due, $0.sequence) < ($1.due, $1.sequence) }
        guard !due.isEmpty else { return }
        delayed.removeAll { all || $0.due <= step }
        for request in random.shuffled(due) {
            tally.delayedDeliveries += 1
            let delivery = deliver(from: request.node, request.endpoint, body: request.body, token: request.token)
            if delivery.committedNew { tally.commitThenReplyLost += 1 }
            trace.record(step, "net \(label(request.node)) late \(request.endpoint.path) -> \(delivery.status)")
        }
    }

    /// The server handles one request. The simulation reads the reply whether or not it reaches
    /// the sender: every result the server sends is recorded and checked for consistency.
    func deliver(from node: Int, _ endpoint: Endpoint, body: [UInt8], token: String?) -> Delivery {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let address = node == Rogue.node ? "10.9.9.9" : "10.0.0.\(node + 1)"
        let (response, committed) = server.handle(
            HTTPRequest(method: endpoint.method, target: endpoint.path, headers: headers, body: body, remoteAddress: address)
        )
        var delivery = Delivery(status: response.status, body: response.body, committed: committed, committedNew: false, crashed: false)
        if response.status != 200, server.diskFault, response.status >= 500 { tally.serverDiskFaults += 1 }
        if endpoint == .push, response.status == 200 {
            delivery.committedNew = observePush(request: body, reply: response.body, node: node)
        }
        trace.record(step, "server \(label(node)) \(endpoint.path) -> \(response.status)\(Self.errorCode(response))")
        return delivery
    }

    static func errorCode(_ response: HTTPResponse) -> String {
        guard response.status != 200, let error = try? JSONValueDecoder().decode(ErrorResponse.self, from: response.body) else { return "" }
        return " " + error.code.rawValue
    }

    /// Records the results of a push the server answered. Returns whether it processed a
    /// mutation for the first time.
    private func observePush(request: [UInt8], reply: [UInt8], node: Int) -> Bool {
        guard let push = try? JSONValueDecoder().decode(PushRequest.self, from: request),
            let response = try? JSONValueDecoder().decode(PushResponse.self, from: reply)
        else {
            violations.append("step \(step): a push or its reply could not be read")
            return false
        }
        let names = Dictionary(push.mutations.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var fresh = false
        var duplicate = false
        for result in response.results {
            if let problem = ledger.serverSent(result, client: push.clientId) {
                violations.append("step \(step): \(problem)")
            }
            if result.duplicate == true {
                duplicate = true
                continue
            }
            fresh = true
            let name = names[result.id] ?? ""
            switch result.status {
            case .rejected:
                tally.rejections += 1
                if result.code == "superseded" { tally.superseded += 1 }
                if node == Rogue.node { tally.illegalActionsRefused += 1 }
            case .applied:
                if node == Rogue.node {
                    violations.append("step \(step): the rogue client's illegal \(name) #\(result.id) was applied")
                }
                if result.resolution?.hasPrefix("Sent to review") == true {
                    tally.conflictsSentToReview += 1
                } else if name == "redistribuirCaso" {
                    tally.redistributions += 1
                } else if name == "resolverConflicto" {
                    tally.conflictsResolved += 1
                }
                if result.resolution?.contains("undid the automatic closure") == true { tally.closuresUndone += 1 }
            }
            if let envelope = push.mutations.first(where: { $0.id == result.id }),
                envelope.occurredAt > clock.now.addingTimeInterval(300)
            {
                tally.implausibleTimes += 1
            }
        }
        if node == Rogue.node { rogue.serverAnswered(response, expectations: &violations, step: step) }
        if duplicate { tally.duplicateDeliveries += 1 }
        return fresh
    }

    /// The reply reached its sender: what it now knows the server has.
    private func received(by node: Int, _ endpoint: Endpoint, request: [UInt8], reply: Delivery) {
        guard reply.status == 200 else { return }
        switch endpoint {
        case .push:
            guard let push = try? JSONValueDecoder().decode(PushRequest.self, from: request),
                let response = try? JSONValueDecoder().decode(PushResponse.self, from: reply.body)
            else { return }
            for result in response.results { ledger.acknowledge(result, client: push.clientId) }
            ledger.acknowledgeThrough(response.lastMutationId, client: push.clientId)
        case .pull:
            guard let pull = try? JSONValueDecoder().decode(PullRequest.self, from: request),
                let page = try? JSONValueDecoder().decode(PullResponse.self, from: reply.body)
            else { return }
            ledger.acknowledgeThrough(page.lastMutationId, client: pull.clientId)
            tally.evictions += page.changeSets.reduce(0) { $0 + $1.changes.count { $0.op == .evict } }
        default:
            break
        }
    }

    // MARK: Interleavings

    /// Before device `index`'s next request, something else happens: another device syncs, the
    /// agency redistributes one of its cases, the user acts on it mid-sync, an operator revokes
    /// it, the server restarts, or operations act.
    func interleave(around index: Int) async {
        interleaving = true
        defer { interleaving = false }
        devices[index].interleavedDuringSync = true
        tally.midSyncInterleavings += 1
        enum Event { case otherSync, redistribution, userAction, revocation, serverRestart, operations }
        let event = random.weighted([
            (Event.otherSync, 4), (.redistribution, 2), (.userAction, 2), (.revocation, 0.3), (.serverRestart, 0.5),
            (.operations, 1),
        ]) ?? .otherSync
        trace.record(step, "interleave before \(devices[index].label)'s next request")
        switch event {
        case .otherSync:
            let others = devices.filter { $0.index != index && !$0.syncing }
            if !others.isEmpty { await sync(random.pick(others).index) }
        case .redistribution:
            await redistributeAway(from: index)
        case .userAction:
            if let view = try? LocalView(replica: devices[index].replica),
                let action = Workload.plan(for: devices[index].user, view: view, now: devices[index].clock.now, random: &random)
            {
                perform(action, on: index)
            }
        case .revocation:
            if !revocationSteps.isEmpty, [.asesor, .mediador].contains(devices[index].user.role), revoke(index) {
                revocationSteps.removeFirst()
            }
        case .serverRestart:
            restartServer(reason: "mid-sync")
        case .operations:
            operationsAct()
        }
    }

    /// The agency redistributes a case whose mediator's device holds work not yet uploaded
    /// (DOMAIN.md §8 case 3), and syncs. Returns whether the server applied it.
    func redistributeBusyCase() async -> Bool {
        guard let agencia = devices.first(where: { $0.user.role == .agencia }), !agencia.syncing,
            let view = try? LocalView(replica: agencia.replica), view.mediadores.count > 1
        else { return false }
        let busy = devices.filter { device in
            device.user.role == .mediador && !((try? device.replica.pendingMutations()) ?? []).isEmpty
        }.map(\.user.id)
        let candidates = view.cuentas.compactMap { cuenta -> (Cuenta, Caso)? in
            guard let caso = view.casos[cuenta.casoActual], Workload.enSesiones.contains(caso.estatus) else { return nil }
            return (cuenta, caso)
        }
        guard !candidates.isEmpty else { return false }
        let preferred = candidates.filter { busy.contains($0.1.mediador ?? "") }
        let (cuenta, caso) = random.pick(preferred.isEmpty ? candidates : preferred)
        let otros = view.mediadores.filter { $0 != caso.mediador }
        let args = Workload.encode(
            RedistribuirCaso(numeroCredito: cuenta.numeroCredito, ronda: cuenta.ronda > 1 ? cuenta.ronda : nil, mediador: random.pick(otros))
        )
        let before = tally.redistributions
        trace.record(step, "episode redistribution of \(cuenta.numeroCredito)")
        perform(PlannedAction(name: RedistribuirCaso.name, args: args, legal: true, subject: cuenta.numeroCredito), on: agencia.index)
        await sync(agencia.index)
        return tally.redistributions > before
    }

    /// The agency takes a case away from device `index`'s mediator (if it is one), and syncs.
    private func redistributeAway(from index: Int) async {
        guard devices[index].user.role == .mediador,
            let agencia = devices.first(where: { $0.user.role == .agencia }),
            let view = try? LocalView(replica: agencia.replica)
        else { return }
        let mine = view.cuentas.compactMap { cuenta -> (Cuenta, Caso)? in
            guard let caso = view.casos[cuenta.casoActual], caso.mediador == devices[index].user.id,
                Workload.enSesiones.contains(caso.estatus)
            else { return nil }
            return (cuenta, caso)
        }
        let otros = view.mediadores.filter { $0 != devices[index].user.id }
        guard !mine.isEmpty, !otros.isEmpty else { return }
        let (cuenta, _) = random.pick(mine)
        let args = Workload.encode(
            RedistribuirCaso(numeroCredito: cuenta.numeroCredito, ronda: cuenta.ronda > 1 ? cuenta.ronda : nil, mediador: random.pick(otros))
        )
        perform(PlannedAction(name: RedistribuirCaso.name, args: args, legal: true, subject: cuenta.numeroCredito), on: agencia.index)
        if !agencia.syncing { await sync(agencia.index) }
    }
}
