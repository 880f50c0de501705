import Foundation
import GestionProtocol
import SyncCore

#if canImport(Glibc)
    import Glibc
#endif

/// Many devices pushing at once: one keep-alive socket per device, a few threads each polling its
/// share of the sockets, request bodies built from a template, closed loop (a device sends its
/// next push when the previous one is answered). Light enough that the server, in its own
/// process, is what is measured.
final class LoadGenerator: @unchecked Sendable {
    /// One device's socket and counters; touched by one thread at a time.
    final class Device {
        let connection: RawHTTP
        let clientID: String
        let token: String
        let credito: String
        var nextID: Int64 = 1
        var sentAt: Double = 0
        var inFlight = 0

        init(connection: RawHTTP, clientID: String, token: String, credito: String) {
            self.connection = connection
            self.clientID = clientID
            self.token = token
            self.credito = credito
        }
    }

    struct Result {
        var seconds: Double
        var mutations: Int
        var p50: Double
        var p99: Double
        var serverCPU: Double
        var generatorCPU: Double
        var errors: Int
        var firstError: String
        var mutationsPerSecond: Double { Double(mutations) / seconds }
    }

    private var devices: [Device] = []  // fixed once built
    private let server: BenchServer
    let threads = 4

    /// Signs `count` devices of the bench asesor in and shows each its account's privacy notice
    /// (so that contact data may follow).
    init(server: BenchServer, devices count: Int, accounts: [String]) throws {
        self.server = server
        for index in 0..<count {
            let connection = try RawHTTP(port: server.port)
            let clientID = UUID().uuidString.lowercased()
            let login = LoginRequest(
                user: BenchServer.asesor, password: BenchServer.password, clientId: clientID, deviceName: "load-\(index)", appVersion: "gestion-bench"
            )
            let reply = try connection.roundTrip(RawHTTP.request("POST", "/sync/login", body: WireCoding.encode(login)))
            guard reply.status == 200 else { throw PlainSQLite.Failure(description: "login answered \(reply.status)") }
            let session = try WireCoding.decode(LoginResponse.self, from: reply.body)
            let device = Device(connection: connection, clientID: clientID, token: session.token, credito: accounts[index % accounts.count])
            let aviso = Self.body(device, count: 1, name: "registrarAvisoPrivacidad", millis: Self.millisNow())
            let shown = try connection.roundTrip(RawHTTP.request("POST", "/sync/push", body: aviso, token: device.token))
            guard shown.status == 200 else { throw PlainSQLite.Failure(description: "push answered \(shown.status)") }
            devices.append(device)
        }
    }

    static func millisNow() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// A push of `count` mutations of `device`, numbered from its next id.
    static func body(_ device: Device, count: Int, name: String = "registrarDatosContacto", millis: Int64) -> [UInt8] {
        let at = RFC3339.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
        var text = "{\"protocolVersion\":1,\"clientId\":\"\(device.clientID)\",\"mutations\":["
        for index in 0..<count {
            let id = device.nextID
            device.nextID += 1
            let hlc = String(format: "%015lld-%04x", millis, Int(id & 0xffff))
            let args = name == "registrarDatosContacto"
                ? "{\"numeroCredito\":\"\(device.credito)\",\"telefonoCelular\":\"55\(String(format: "%08lld", id % 100_000_000))\"}"
                : "{\"numeroCredito\":\"\(device.credito)\"}"
            if index > 0 { text += "," }
            text += "{\"id\":\(id),\"name\":\"\(name)\",\"args\":\(args),\"occurredAt\":\"\(at)\",\"hlc\":\"\(hlc)\"}"
        }
        text += "]}"
        return Array(text.utf8)
    }

    /// Runs the closed loop for `seconds`; counts the mutations answered within that time.
    func run(seconds: Double, mutationsPerPush: Int) throws -> Result {
        let serverBefore = server.cpuSeconds()
        var usageBefore = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usageBefore)
        let start = now()
        let deadline = start + seconds
        let shares = (0..<threads).map { thread in Array(stride(from: thread, to: devices.count, by: threads)) }
        let outcomes = Outcomes()
        let done = DispatchSemaphore(value: 0)
        let box = UnsafeDevices(self)
        for share in shares {
            let thread = Thread {
                let outcome = box.generator.loop(share, until: deadline, batch: mutationsPerPush)
                outcomes.append(outcome)
                done.signal()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in shares { done.wait() }
        let elapsed = deadline - start
        var usageAfter = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usageAfter)
        let all = outcomes.all
        let latencies = all.flatMap(\.latencies)
        return Result(
            seconds: elapsed, mutations: all.reduce(0) { $0 + $1.mutations }, p50: Stats.median(latencies),
            p99: Stats.percentile(latencies, 99), serverCPU: server.cpuSeconds() - serverBefore,
            generatorCPU: Self.cpu(usageAfter) - Self.cpu(usageBefore), errors: all.reduce(0) { $0 + $1.errors },
            firstError: all.first { !$0.firstError.isEmpty }?.firstError ?? ""
        )
    }

    static func cpu(_ usage: rusage) -> Double {
        Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// One thread's closed loop over its devices (indices into `devices`; no other thread touches them).
    private func loop(_ share: [Int], until deadline: Double, batch: Int) -> (latencies: [Double], mutations: Int, errors: Int, firstError: String) {
        var latencies: [Double] = []
        var mutations = 0
        var errors = 0
        var firstError = ""
        var millis = Self.millisNow()
        func send(_ index: Int) {
            let request = Self.body(devices[index], count: batch, millis: millis)
            devices[index].sentAt = now()
            devices[index].inFlight = batch
            do {
                try devices[index].connection.send(RawHTTP.request("POST", "/sync/push", body: request, token: devices[index].token))
            } catch {
                errors += 1
                devices[index].inFlight = 0
            }
        }
        for index in share { send(index) }
        var fds = share.map { pollfd(fd: devices[$0].connection.fd, events: Int16(POLLIN), revents: 0) }
        while true {
            let open = share.indices.filter { devices[share[$0]].inFlight > 0 }
            if open.isEmpty { break }
            let ready = poll(&fds, nfds_t(fds.count), 1000)
            if ready <= 0 { continue }
            millis = Self.millisNow()
            for slot in fds.indices where fds[slot].revents != 0 {
                let index = share[slot]
                fds[slot].revents = 0
                guard (try? devices[index].connection.fill()) == true else {
                    errors += 1
                    devices[index].inFlight = 0
                    fds[slot].fd = -1
                    continue
                }
                while let reply = devices[index].connection.takeReply() {
                    let finished = now()
                    if reply.status == 200, !reply.body.contains(where: { $0 == 0 }),
                        !String(decoding: reply.body, as: UTF8.self).contains("\"rejected\"")
                    {
                        if finished <= deadline {
                            mutations += devices[index].inFlight
                            latencies.append(finished - devices[index].sentAt)
                        }
                    } else {
                        errors += 1
                        if firstError.isEmpty { firstError = "HTTP \(reply.status): \(String(decoding: reply.body.prefix(300), as: UTF8.self))" }
                    }
                    devices[index].inFlight = 0
                    if finished < deadline { send(index) }
                }
            }
        }
        return (latencies, mutations, errors, firstError)
    }
}

/// Hands the generator to its threads; each thread touches only its own devices.
private struct UnsafeDevices: @unchecked Sendable {
    let generator: LoadGenerator
    init(_ generator: LoadGenerator) { self.generator = generator }
}

/// What the generator's threads found, gathered under a lock.
private final class Outcomes: @unchecked Sendable {
    typealias Outcome = (latencies: [Double], mutations: Int, errors: Int, firstError: String)
    private let lock = NSLock()
    private var items: [Outcome] = []

    func append(_ outcome: Outcome) {
        lock.lock()
        items.append(outcome)
        lock.unlock()
    }

    var all: [Outcome] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
