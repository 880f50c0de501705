import Foundation
import GestionProtocol
import Mediacion
import SyncCore

/// A client that speaks the protocol directly, without a replica's local checks, as a modified
/// app could: a real user (an asesor) sending actions the server must refuse — unknown names,
/// another role's actions, malformed arguments, accounts outside its scope, rounds that do not
/// exist — and requests that break the protocol's rules (a gap in the numbering, another
/// device's id, a cursor from the future). It resends until each action is acknowledged.
struct Rogue {
    /// The network node of the rogue client.
    static let node = -1
    static let clientID = "sim-rogue-1"

    var token: String?
    var partitioned = false
    var nextID: Int64 = 1
    /// Sent and not yet acknowledged, in order.
    var pending: [MutationEnvelope] = []
    /// The codes each illegal action may be refused with.
    var expected: [Int64: Set<String>] = [:]
    /// Ids whose result was checked.
    var checked = 0

    /// Checks the server's results of a rogue push against what each action deserved.
    mutating func serverAnswered(_ response: PushResponse, expectations violations: inout [String], step: Int) {
        for result in response.results where result.duplicate != true {
            guard let codes = expected[result.id] else { continue }
            checked += 1
            if result.status != .rejected || !codes.contains(result.code ?? "") {
                violations.append(
                    "step \(step): the rogue's illegal action #\(result.id) should be refused with \(codes.sorted().joined(separator: " or ")), got \(Ledger.describe(result))"
                )
            }
        }
    }
}

extension Simulation {
    func rogueLogin() async {
        let request = LoginRequest(
            user: Population.intruso.id, password: Population.intruso.password, clientId: Rogue.clientID,
            deviceName: "Equipo modificado", appVersion: "rogue/1"
        )
        guard let reply = try? await route(from: Rogue.node, .login, body: WireCoding.encode(request), token: nil),
            reply.status == 200, let response = try? JSONValueDecoder().decode(LoginResponse.self, from: reply.body)
        else { return }
        rogue.token = response.token
    }

    /// The rogue client adds an illegal action or probes a protocol rule, then pushes what is
    /// not yet acknowledged.
    func rogueAct() async {
        if rogue.token == nil { await rogueLogin() }
        guard let token = rogue.token else { return }
        if random.chance(0.25) {
            await rogueProbe(token: token)
            return
        }
        // The rogue picks accounts by what the server holds now; the account of the first asesor
        // never changes hands, so it stays outside the rogue's scope however late a request arrives.
        let cuentas = ((try? server.store.records(in: Cuenta.collection)) ?? [:]).sorted { $0.key < $1.key }
            .compactMap { try? Cuenta(body: $0.value) }
        guard let ajena = cuentas.first(where: { $0.numeroCredito == Population.pinnedAccount }) else { return }
        let propias = cuentas.filter { $0.asesor == nil }
        let now = clock.now
        var args: JSONObject
        let name: String
        let codes: Set<String>
        switch random.int(in: 0...4) {
        case 0:
            (name, args, codes) = ("borrarTodo", ["numeroCredito": .string(random.pick(cuentas).numeroCredito)], ["unknown_mutation"])
        case 1:
            let cuenta = random.pick(cuentas)
            (name, args, codes) = (AprobarCaso.name, Workload.encode(AprobarCaso(numeroCredito: cuenta.numeroCredito)), ["role_not_allowed"])
        case 2:
            args = Workload.encode(RegistrarAceptacion(numeroCredito: random.pick(cuentas).numeroCredito))
            args["alcance"] = "todo"
            (name, codes) = (RegistrarAceptacion.name, ["invalid_arguments"])
        case 3:
            (name, args, codes) = (
                RegistrarAceptacion.name, Workload.encode(RegistrarAceptacion(numeroCredito: ajena.numeroCredito)), ["out_of_scope"]
            )
        default:
            // A round that does not exist; refused as out of scope instead if the account was
            // assigned to another asesor meanwhile.
            let cuenta = propias.isEmpty ? ajena : random.pick(propias)
            (name, args, codes) = (
                RegistrarAceptacion.name, Workload.encode(RegistrarAceptacion(numeroCredito: cuenta.numeroCredito, ronda: 99)),
                ["ronda_no_vigente", "out_of_scope"]
            )
        }
        let id = rogue.nextID
        rogue.nextID += 1
        rogue.pending.append(
            MutationEnvelope(
                id: id, name: name, args: args, occurredAt: now,
                hlc: HybridTimestamp(millis: Int64(now.timeIntervalSince1970 * 1000))
            )
        )
        rogue.expected[id] = codes
        trace.record(step, "rogue \(name) #\(id) expects \(codes.sorted().joined(separator: "|"))")
        await roguePush(token: token)
    }

    /// Pushes the rogue's unacknowledged actions once. Returns whether any were sent.
    @discardableResult
    func roguePush(token: String) async -> Bool {
        guard !rogue.pending.isEmpty else { return false }
        let request = PushRequest(clientId: Rogue.clientID, mutations: rogue.pending)
        guard let reply = try? await route(from: Rogue.node, .push, body: WireCoding.encode(request), token: token) else {
            return true
        }
        if reply.status == 401 { rogue.token = nil }
        guard reply.status == 200, let response = try? JSONValueDecoder().decode(PushResponse.self, from: reply.body) else {
            return true
        }
        rogue.pending.removeAll { $0.id <= response.lastMutationId }
        return true
    }

    /// At the end: sends until every rogue action is acknowledged. Returns whether it sent any.
    func rogueFlush() async -> Bool {
        var sent = false
        for _ in 0..<3 where !rogue.pending.isEmpty {
            if rogue.token == nil { await rogueLogin() }
            guard let token = rogue.token else { continue }
            sent = await roguePush(token: token) || sent
        }
        return sent
    }

    /// A request that breaks a protocol rule; the server must refuse it with the rule's code.
    private func rogueProbe(token: String) async {
        let probe = random.int(in: 0...2)
        let now = clock.now
        let endpoint: Endpoint
        let body: [UInt8]
        let expected: (Int, String)
        switch probe {
        case 0:
            let id = rogue.nextID + 5
            let envelope = MutationEnvelope(
                id: id, name: RegistrarAceptacion.name, args: ["numeroCredito": .string(population.accounts[0].numeroCredito)],
                occurredAt: now, hlc: HybridTimestamp(millis: Int64(now.timeIntervalSince1970 * 1000))
            )
            endpoint = .push
            body = WireCoding.encode(PushRequest(clientId: Rogue.clientID, mutations: [envelope]))
            expected = (409, ErrorCode.mutationGap.rawValue)
        case 1:
            endpoint = .push
            body = WireCoding.encode(PushRequest(clientId: SimDevice.clientID(index: 0, incarnation: 1), mutations: []))
            expected = (403, ErrorCode.clientMismatch.rawValue)
        default:
            endpoint = .pull
            body = WireCoding.encode(PullRequest(clientId: Rogue.clientID, cursor: 1_000_000_000, resultsAfter: 0))
            expected = (409, ErrorCode.invalidCursor.rawValue)
        }
        trace.record(step, "rogue probe \(endpoint.path) expects \(expected.1)")
        guard let reply = try? await route(from: Rogue.node, endpoint, body: body, token: token) else { return }
        if reply.status == 401 {
            rogue.token = nil
            return
        }
        let code = (try? JSONValueDecoder().decode(ErrorResponse.self, from: reply.body))?.code.rawValue
        if reply.status >= 500 { return }  // a write failure is a fair answer
        if reply.status != expected.0 || code != expected.1 {
            violations.append("step \(step): the rogue's probe should get \(expected.0) \(expected.1), got \(reply.status) \(code ?? "")")
        }
    }
}
