import Foundation
import GestionClient
import GestionProtocol
import Synchronization
import SyncCore
import TestFixtures
import Testing

/// Issue 7: long-poll pulls (`waitMs`), against the real server over loopback HTTP. A held pull
/// answers when a change for its device commits (pushed by another device, or written by an
/// admin process), answers empty when its wait is over, ends when its client hangs up, and never
/// holds up a shutdown; `syncContinuously` uses it to carry a change from one device to another.
///
/// Timed parts run on a thread of their own (see SlowClientTests): the cooperative pool may be
/// held by other tests. Bounds are loose; each is far below what the behaviour without long polls
/// would give (a 12 s wait, a 10 s shutdown grace period, a 30 s poll interval).
@Suite struct LongPollTests {
    struct HeldPull: Sendable {
        var page: PullResponse
        var answeredAt: ContinuousClock.Instant
        var waited: Duration
    }

    /// Signs a raw client in as `user` on `client` and pulls to the latest version.
    func current(_ raw: RawClient, user: String, client: String) async throws -> (token: String, cursor: Int64) {
        let token = try await raw.login(user: user, clientID: client)
        var cursor: Int64 = 0
        while true {
            let page = try await pull(raw, token: token, client: client, cursor: cursor, waitMs: nil).page
            cursor = page.cursor
            if !page.hasMore { return (token, cursor) }
        }
    }

    func pull(_ raw: RawClient, token: String, client: String, cursor: Int64, waitMs: Int64?) async throws -> HeldPull {
        let started = ContinuousClock.now
        let reply = try await raw.post(
            "/sync/pull", PullRequest(clientId: client, cursor: cursor, resultsAfter: 0, waitMs: waitMs), token: token
        )
        let answeredAt = ContinuousClock.now
        guard reply.status == 200 else {
            throw TestFailure("pull answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
        }
        return HeldPull(
            page: try JSONValueDecoder().decode(PullResponse.self, from: reply.body), answeredAt: answeredAt,
            waited: answeredAt - started
        )
    }

    @Test func aHeldPullAnswersAsSoonAsAnotherDeviceCommits() async throws {
        let directory = TemporaryDirectory("longpoll-push")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(3))
        defer { server.stop() }
        let raw = RawClient(base: server.url)
        let (token, cursor) = try await current(raw, user: "asesor.uno", client: "tel-espera")
        let device = try DeviceLibrary(directory, "telefono", user: "asesor.uno")
        try await device.login(server)
        _ = try await device.client.sync()

        let executor = DedicatedThreadExecutor(name: "longpoll-push")
        defer { executor.shutdown() }
        let (held, pushedAt) = try await withTaskExecutorPreference(executor) {
            async let held = pull(raw, token: token, client: "tel-espera", cursor: cursor, waitMs: 12_000)
            try await Task.sleep(for: .milliseconds(500))
            _ = try device.replica.perform("registrarAvisoPrivacidad", ["numeroCredito": .string(Cuentas.credito(1))])
            _ = try await device.client.sync()
            let pushedAt = ContinuousClock.now
            return (try await held, pushedAt)
        }
        let keys = held.page.changeSets.flatMap(\.changes).map(\.key)
        #expect(keys.contains(RecordKey("contactos", Cuentas.credito(1))), "the other device's change arrived: \(keys)")
        #expect(held.page.cursor > cursor)
        // Answered at the commit; without a hold the page would have been empty, without the
        // wake-up it would have come at the end of the 12 s wait.
        #expect(held.waited < .seconds(8), "answered long before the wait was over: \(held.waited)")
        #expect(held.answeredAt - pushedAt < .seconds(5))
    }

    @Test func aHeldPullWithNothingNewAnswersEmptyWhenItsWaitIsOver() async throws {
        let directory = TemporaryDirectory("longpoll-idle")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(2))
        defer { server.stop() }
        let raw = RawClient(base: server.url)
        let (token, cursor) = try await current(raw, user: "asesor.uno", client: "tel-espera")
        let executor = DedicatedThreadExecutor(name: "longpoll-idle")
        defer { executor.shutdown() }
        let held = try await withTaskExecutorPreference(executor) {
            try await pull(raw, token: token, client: "tel-espera", cursor: cursor, waitMs: 1_500)
        }
        #expect(held.page.changeSets.isEmpty && held.page.results.isEmpty && !held.page.hasMore)
        #expect(held.page.cursor == cursor)
        #expect(held.waited >= .milliseconds(1_400), "held for its wait: \(held.waited)")
        #expect(held.waited < .seconds(8), "and not much longer: \(held.waited)")
    }

    /// Admin commands write from another process, which the server's commit notifier does not
    /// see: a held pull still notices within its re-check period (1 s).
    @Test func aChangeByAnAdminProcessEndsAHeldPull() async throws {
        let directory = TemporaryDirectory("longpoll-admin")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(2))
        defer { server.stop() }
        let raw = RawClient(base: server.url)
        let (token, cursor) = try await current(raw, user: "asesor.uno", client: "tel-espera")
        let file = directory.url.appendingPathComponent("cuentas-nuevas.csv")
        try Cuentas.csv(1, first: 3).write(to: file, atomically: true, encoding: .utf8)

        let executor = DedicatedThreadExecutor(name: "longpoll-admin")
        defer { executor.shutdown() }
        let (held, importedAt) = try await withTaskExecutorPreference(executor) {
            async let held = pull(raw, token: token, client: "tel-espera", cursor: cursor, waitMs: 12_000)
            try await Task.sleep(for: .milliseconds(300))
            // The admin process runs on a thread of its own, so that it blocks nobody's executor.
            let status = await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: (try? server.admin(["import-assignment", file.path]))?.status ?? -1) }.start()
            }
            #expect(status == 0, "the import ran")
            return (try await held, ContinuousClock.now)
        }
        let keys = held.page.changeSets.flatMap(\.changes).map(\.key)
        #expect(keys.contains(RecordKey("cuentas", Cuentas.credito(3))), "the imported account arrived: \(keys)")
        #expect(held.answeredAt - importedAt < .seconds(5), "within the re-check period, not at the end of the wait")
    }

    @Test func shutdownDoesNotWaitForHeldPulls() async throws {
        let directory = TemporaryDirectory("longpoll-shutdown")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        let raw = RawClient(base: server.url)
        var waiting: [(token: String, cursor: Int64)] = []
        for index in 1...3 { waiting.append(try await current(raw, user: "asesor.uno", client: "tel-\(index)")) }

        let executor = DedicatedThreadExecutor(name: "longpoll-shutdown")
        defer { executor.shutdown() }
        let (pages, stopping) = try await withTaskExecutorPreference(executor) {
            try await withThrowingTaskGroup(of: HeldPull.self) { group in
                for (index, device) in waiting.enumerated() {
                    group.addTask {
                        try await pull(raw, token: device.token, client: "tel-\(index + 1)", cursor: device.cursor, waitMs: 12_000)
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
                let stopping = await withCheckedContinuation { continuation in
                    Thread {
                        let started = ContinuousClock.now
                        let status = server.stop()
                        continuation.resume(returning: (status: status, took: ContinuousClock.now - started))
                    }.start()
                }
                var pages: [HeldPull] = []
                for try await held in group { pages.append(held) }
                return (pages, stopping)
            }
        }
        #expect(stopping.status == 0)
        // The grace period is 10 s and the pulls asked for 12 s: a shutdown that waited for
        // them would take 10 s.
        #expect(stopping.took < .seconds(5), "the shutdown woke the held pulls: \(stopping.took)")
        #expect(pages.count == 3)
        #expect(pages.allSatisfy { $0.page.changeSets.isEmpty }, "each was answered, empty")
    }

    /// A client that hangs up while its pull is held: the server notices within about a second
    /// (it looks at the socket at each re-check) instead of holding the thread for the whole wait.
    @Test func aHeldPullWhoseClientHungUpEnds() async throws {
        let directory = TemporaryDirectory("longpoll-hangup")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        defer { server.stop() }
        let raw = RawClient(base: server.url)
        let (token, cursor) = try await current(raw, user: "asesor.uno", client: "tel-espera")
        let body = String(decoding: WireCoding.encode(
            PullRequest(clientId: "tel-espera", cursor: cursor, resultsAfter: 0, waitMs: 20_000)
        ), as: UTF8.self)
        let pullsBefore = Self.pullLines(server.allLogs).count

        var socket: SocketClient? = try SocketClient(port: server.port)
        #expect(socket?.send(
            "POST /sync/pull HTTP/1.1\r\nHost: servidor\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer \(token)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        ) == true)
        try await Task.sleep(for: .milliseconds(500))
        #expect(socket?.receivesSomething(within: .zero) == false, "the pull is held")
        socket = nil  // hangs up
        // The server logs the request when its handler returns.
        let deadline = ContinuousClock.now + .seconds(15)
        var lines: [Substring] = []
        while ContinuousClock.now < deadline {
            lines = Array(Self.pullLines(server.allLogs).dropFirst(pullsBefore))
            if !lines.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let duration = lines.first
            .flatMap { $0.split(separator: " ").first(where: { $0.hasPrefix("duration_ms=") }) }
            .flatMap { Double($0.dropFirst("duration_ms=".count)) }
        #expect(duration != nil, "the held pull ended: \(lines)")
        // Held 0.5 s before the hang-up, noticed at the next re-check (1 s); 20 s without it.
        #expect((duration ?? .infinity) < 6_000, "it ended soon after the client left: \(duration ?? -1) ms")
    }

    static func pullLines(_ logs: String) -> [Substring] {
        logs.split(separator: "\n").filter { $0.contains("http.request") && $0.contains("path=/sync/pull") }
    }

    /// Two devices following the server: a mutation on A reaches B's replica without either
    /// polling (their poll interval is 30 s), and an idle device sends few requests.
    @Test func syncContinuouslyCarriesAChangeFromAToBWithoutPolling() async throws {
        let directory = TemporaryDirectory("longpoll-devices")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(2))
        defer { server.stop() }
        let a = try DeviceLibrary(directory, "telefono-a", user: "asesor.uno")
        let b = try DeviceLibrary(directory, "telefono-b", user: "asesor.uno")
        for device in [a, b] {
            try await device.login(server)
            _ = try await device.client.sync()
        }
        let executor = DedicatedThreadExecutor(name: "longpoll-devices")
        defer { executor.shutdown() }
        let loops = [a, b].map { device in
            Task(executorPreference: executor) {
                await device.client.syncContinuously(every: .seconds(30), pullWait: .seconds(5))
            }
        }
        defer { for loop in loops { loop.cancel() } }

        let key = RecordKey("contactos", Cuentas.credito(1))
        let took = try await withTaskExecutorPreference(executor) {
            try await Task.sleep(for: .milliseconds(800))  // both are in a long poll now
            let started = ContinuousClock.now
            _ = try a.replica.perform("registrarAvisoPrivacidad", ["numeroCredito": .string(Cuentas.credito(1))])
            while ContinuousClock.now - started < .seconds(10) {
                if try b.replica.record(key) != nil { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            return ContinuousClock.now - started
        }
        #expect(try b.replica.record(key) != nil, "A's change reached B")
        #expect(took < .seconds(5), "at once, not at B's next poll (30 s): \(took)")
        #expect(try a.replica.pendingMutations().isEmpty, "A's mutation was confirmed")

        // Idle: each device has one pull open at a time, renewed every 5 s at most.
        let before = Self.pullLines(server.allLogs).count
        try await Task.sleep(for: .seconds(2))
        let idlePulls = Self.pullLines(server.allLogs).count - before
        #expect(idlePulls <= 6, "idle devices do not poll: \(idlePulls) pulls in 2 s")
        for loop in loops { loop.cancel() }
        for loop in loops { #expect(await loop.value == nil, "the loops end on cancellation without an error") }
    }
}
