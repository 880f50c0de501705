import Foundation
import GestionProtocol
import SyncCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Plain HTTP requests to the server, bytes in and bytes out, for replaying and hostile input.
struct RawClient: Sendable {
    let base: URL

    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]
        var headers: [String: String]

        var json: JSONValue? { try? JSONParser.parse(body) }
        var errorCode: String? { json?["error"]?["code"]?.stringValue }
    }

    func send(
        _ method: String, _ path: String, body: [UInt8]? = nil, token: String? = nil,
        contentType: String? = "application/json", headers: [String: String] = [:]
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: base.absoluteString + path)!)
        request.httpMethod = method
        request.timeoutInterval = 15
        if let body { request.httpBody = Data(body) }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var headerFields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            headerFields[String(describing: key).lowercased()] = String(describing: value)
        }
        return Reply(status: http.statusCode, body: Array(data), headers: headerFields)
    }

    func post(_ path: String, _ message: some Encodable, token: String? = nil) async throws -> Reply {
        try await send("POST", path, body: WireCoding.encode(message), token: token)
    }

    /// Signs in and returns the token.
    func login(user: String, clientID: String) async throws -> String {
        let reply = try await post(
            "/sync/login",
            LoginRequest(user: user, password: TestServer.password(user), clientId: clientID, deviceName: "raw", appVersion: "test")
        )
        guard reply.status == 200, let token = reply.json?["token"]?.stringValue else {
            throw TestFailure("login of \(user) failed: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
        return token
    }
}
