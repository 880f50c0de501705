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

    /// Runs `request`; cancelling the calling task cancels the request and returns at once (a long
    /// poll the client no longer wants must neither hold its connection until the server answers
    /// nor make the push that follows wait for URLSession to report the cancellation).
    private func perform(_ request: URLRequest) async throws -> (Data, URLResponse) {
        let running = RunningRequest()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        running.finish(.failure(error))
                    } else if let data, let response {
                        running.finish(.success((data, response)))
                    } else {
                        running.finish(.failure(TransportError("the server's answer is empty")))
                    }
                }
                running.start(task, continuation)
            }
        } onCancel: {
            running.cancel()
        }
    }
}

/// One request in flight: its URLSession task and the continuation waiting for it, resumed exactly
/// once — by the answer, or at once by a cancellation (which then also cancels the task), even one
/// that came before the task started.
private final class RunningRequest: Sendable {
    typealias Outcome = Result<(Data, URLResponse), any Error>
    private struct State {
        var task: URLSessionDataTask?
        var continuation: CheckedContinuation<(Data, URLResponse), any Error>?
        var cancelled = false
    }
    private let state = Mutex<State>(State())

    func start(_ task: URLSessionDataTask, _ continuation: CheckedContinuation<(Data, URLResponse), any Error>) {
        let cancelled = state.withLock { state in
            if !state.cancelled {
                state.task = task
                state.continuation = continuation
            }
            return state.cancelled
        }
        if cancelled { continuation.resume(throwing: CancellationError()) } else { task.resume() }
    }

    func finish(_ outcome: Outcome) {
        state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }?.resume(with: outcome)
    }

    func cancel() {
        let (task, continuation) = state.withLock { state in
            state.cancelled = true
            defer {
                state.task = nil
                state.continuation = nil
            }
            return (state.task, state.continuation)
        }
        continuation?.resume(throwing: CancellationError())
        task?.cancel()
    }
}
