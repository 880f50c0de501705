import Foundation
import GestionHTTP
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The server against the platform's real HTTP client stack (libcurl on Linux).
@Suite struct URLSessionInteropTests {
    @Test(arguments: [64, 300_000])
    func postingJSONRoundTrips(bodySize: Int) async throws {
        let (server, port) = try startServer { _ in } handler: { request in
            guard request.method == "POST", request.headers["Content-Type"] == "application/json" else {
                return .error(status: 400, message: "expected a JSON POST")
            }
            let reply = #"{"path":"\#(request.path)","bytes":\#(request.body.count)}"#
            return HTTPResponse(status: 201, json: Array(reply.utf8))
        }
        defer { server.shutdown(gracePeriod: .seconds(2)) }

        let payload = #"{"pad":""# + String(repeating: "a", count: bodySize) + #""}"#
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/sync/push?device=1")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(payload.utf8)
        request.timeoutInterval = 10

        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 201)
        #expect(http.value(forHTTPHeaderField: "Content-Type") == "application/json; charset=utf-8")
        #expect(String(decoding: data, as: UTF8.self) == #"{"path":"/sync/push","bytes":\#(payload.utf8.count)}"#)
    }
}
