import Foundation
import GestionProtocol
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A reply from the server, whatever its status.
public struct TransportReply: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// The server could not be reached or did not answer.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// How the sync engine talks to the server. The real one is `URLSessionTransport`; tests and the
/// simulation plug in others.
public protocol SyncTransport: Sendable {
    /// Sends one request to `endpoint` with `body` (JSON) and the bearer `token`, if any.
    func send(_ endpoint: Endpoint, body: [UInt8]?, token: String?) async throws(TransportError) -> TransportReply
}

/// HTTP through URLSession (FoundationNetworking on Linux), with keep-alive and timeouts.
public final class URLSessionTransport: SyncTransport {
    public let baseURL: URL
    private let session: URLSession

    /// - Parameter timeout: seconds to wait for the server's answer to one request.
    public init(baseURL: URL, timeout: TimeInterval = 30) {
        self.baseURL = baseURL
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 4
        configuration.httpMaximumConnectionsPerHost = 2
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    public func send(_ endpoint: Endpoint, body: [UInt8]?, token: String?) async throws(TransportError) -> TransportReply {
        var request = URLRequest(url: baseURL.appendingPathComponent(String(endpoint.path.dropFirst())))
        request.httpMethod = endpoint.method
        if let body {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        do {
            let (data, response) = try await perform(request)
            guard let http = response as? HTTPURLResponse else { throw TransportError("the server's answer is not HTTP") }
            return TransportReply(status: http.statusCode, body: Array(data))
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError("cannot reach the server at \(baseURL.absoluteString): \(error.localizedDescription)")
        }
    }

    /// Runs `request`; cancelling the calling task cancels the request at once (a long poll
    /// the client no longer wants must not hold its connection until the server answers).
    private func perform(_ request: URLRequest) async throws -> (Data, URLResponse) {
        let running = RunningRequest()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let data, let response {
                        continuation.resume(returning: (data, response))
                    } else {
                        continuation.resume(throwing: TransportError("the server's answer is empty"))
                    }
                }
                // Cancelled before it started: never resume it; its handler was not called.
                if !running.start(task) { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            running.cancel()
        }
    }
}

/// The URLSession task of one request, so that cancelling the Swift task can cancel it, even
/// when the cancellation comes before the task exists.
private final class RunningRequest: Sendable {
    private let state = Mutex<(task: URLSessionDataTask?, cancelled: Bool)>((nil, false))

    /// Resumes `task`, or returns `false` when the request was cancelled already.
    func start(_ task: URLSessionDataTask) -> Bool {
        let cancelled = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if !cancelled { task.resume() }
        return !cancelled
    }

    func cancel() {
        state.withLock { state in
            state.cancelled = true
            return state.task
        }?.cancel()
    }
}
