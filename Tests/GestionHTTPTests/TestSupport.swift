import Foundation
import GestionHTTP
import GestionLogging
import TestFixtures

typealias RawClient = SocketClient
typealias RawResponse = SocketResponse

/// Starts a server on 127.0.0.1, port 0, with test-friendly defaults.
func startServer(
    _ configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    logger: Logger = .disabled,
    handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse = echoHandler
) throws -> (server: HTTPServer, port: Int) {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
    configuration.headerDeadline = .seconds(5)
    configuration.lingerTimeout = .milliseconds(500)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, logger: logger, handler: handler)
    let port = try server.start()
    return (server, port)
}

/// Answers `METHOD path body-size` plus the body, as plain text.
@Sendable func echoHandler(_ request: HTTPRequest) -> HTTPResponse {
    HTTPResponse(
        status: 200, headers: ["Content-Type": "text/plain"],
        body: Array("\(request.method) \(request.path) \(request.body.count)".utf8))
}

/// Polls `condition` every 5 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(3), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return condition()
}
