import CommandLineSupport
import Dispatch
import Foundation
import GestionLogging
import GestionServer
import Mediacion

#if canImport(Glibc)
    import Glibc
#endif

enum Serve {
    static func run(_ parsed: ParsedArguments) throws -> Int32 {
        let logger = try ServerCommandLine.logger(parsed)
        let port = try parsed.integer("port", default: 8080, in: 0...65535)
        let host = parsed.values["host"] ?? "127.0.0.1"
        let store = try ServerCommandLine.openStore(parsed)
        if !DataDirectoryLock.holdWhileServing(ServerCommandLine.dataDirectory(parsed)) {
            logger.warning("data_directory_lock_unavailable", ["file": DataDirectoryLock.fileName])
        }
        var configuration = ServerConfiguration()
        configuration.passwordIterations = ServerCommandLine.passwordIterations
        configuration.maxOfflineDays = try parsed.integer("max-offline-days", default: configuration.maxOfflineDays, in: 1...3650)
        configuration.tokenLifetime = TimeInterval(
            try parsed.integer("token-lifetime", default: Int(configuration.tokenLifetime), in: 1...(366 * 86_400))
        )
        configuration.maxConnections = try parsed.integer("max-connections", default: configuration.maxConnections, in: 1...10_000)
        configuration.maxConnectionsPerAddress = try parsed.integer(
            "max-connections-per-address", default: configuration.maxConnectionsPerAddress, in: 0...10_000
        )
        configuration.headerDeadline = TimeInterval(
            try parsed.integer("header-deadline", default: Int(configuration.headerDeadline), in: 1...600)
        )
        configuration.maxPullWait = TimeInterval(
            try parsed.integer("max-pull-wait", default: Int(configuration.maxPullWait), in: 0...300)
        )
        if configuration.passwordIterations < ServerConfiguration.minimumPasswordIterations {
            logger.warning("weak_password_hashing", ["iterations": String(configuration.passwordIterations)])
        }
        if ExecutableClock.isOverridden { logger.warning("test_clock", ["variable": ExecutableClock.environmentVariable]) }
        let server = SyncServer(
            store: store, registry: Mediacion.registry, configuration: configuration, host: host, port: port,
            logger: logger, clock: ExecutableClock.fromEnvironment(), faults: FaultInjection.fromEnvironment(logger: logger)
        )

        signal(SIGPIPE, SIG_IGN)
        let sweepMinutes = try parsed.integer("sweep-interval", default: 60, in: 0...(24 * 60))
        let clock = ExecutableClock.fromEnvironment()
        let sweeper = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "gestion.sweeper"))
        if sweepMinutes > 0 {
            // The automatic closures of day 32 and day 91 and the overdue alerts, soon after start
            // and then on schedule. The log has counts only: no case ids, no personal data.
            sweeper.schedule(deadline: .now() + .seconds(5), repeating: .seconds(sweepMinutes * 60))
            sweeper.setEventHandler {
                do throws(SyncStoreError) {
                    let report = try DeadlineSweeper.run(store: store, now: clock())
                    logger.info("sweep", report.logMetadata)
                    if !report.refused.isEmpty { logger.warning("sweep_refused", ["count": String(report.refused.count)]) }
                } catch {
                    logger.error("sweep_failed", ["error": ServerCommandLine.describe(error)])
                }
            }
            sweeper.resume()
        }
        let stopped = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                logger.notice("signal", ["signal": signalNumber == SIGINT ? "SIGINT" : "SIGTERM"])
                sweeper.cancel()
                server.shutdown(gracePeriod: .seconds(10))
                stopped.signal()
            }
            source.resume()
            sources.append(source)
        }

        do {
            try server.start()
        } catch {
            store.close()
            throw CommandFailure("Cannot listen on \(host):\(port): \(error)")
        }
        stopped.wait()
        withExtendedLifetime(sources) {}
        return ExitStatus.success
    }
}

/// Crash or stall the server at named points, for the crash tests. Set GESTION_FAULT to
/// `crash-at:<point>` (SIGKILL at that point) or `delay-at:<point>:<milliseconds>`.
enum FaultInjection {
    static func fromEnvironment(logger: Logger) -> @Sendable (FaultPoint) -> Void {
        guard let spec = ProcessInfo.processInfo.environment["GESTION_FAULT"], !spec.isEmpty else { return { _ in } }
        let parts = spec.split(separator: ":").map(String.init)
        guard parts.count >= 2, let point = FaultPoint(rawValue: parts[1]) else {
            logger.warning("fault_ignored", ["spec": spec])
            return { _ in }
        }
        logger.warning("fault_armed", ["spec": spec])
        switch parts[0] {
        case "crash-at":
            return { reached in
                if reached == point { kill(getpid(), SIGKILL) }
            }
        case "delay-at":
            let milliseconds = parts.count > 2 ? Int(parts[2]) ?? 1000 : 1000
            return { reached in
                if reached == point { usleep(useconds_t(milliseconds * 1000)) }
            }
        default:
            return { _ in }
        }
    }
}
