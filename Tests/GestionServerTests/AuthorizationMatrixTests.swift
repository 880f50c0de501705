import Foundation
import GestionProtocol
import Mediacion
import SyncCore
import Testing

@testable import GestionServer

/// Issue 4: every role against every endpoint and every mutation, allowed and refused exactly as
/// the route table (`Endpoint`) and the mutation table (`Mediacion.registry`) say.
@Suite struct AuthorizationMatrixTests {
    static let roles = Rol.allCases

    static func user(_ role: Rol) -> String { "usuario.\(role.rawValue)" }

    @Test(arguments: Endpoint.allCases)
    func everyRoleAgainstEveryEndpoint(endpoint: Endpoint) throws {
        let harness = try ServiceHarness(users: Dictionary(uniqueKeysWithValues: Self.roles.map { (Self.user($0), $0) }), accounts: 1)
        for role in Self.roles {
            let client = "equipo-\(role.rawValue)"
            let token = try harness.login(Self.user(role), client: client)
            let reply: ServiceHarness.Reply
            switch endpoint {
            case .health, .info: reply = harness.call("GET", endpoint.path)
            case .login:
                reply = harness.post(
                    endpoint.path,
                    LoginRequest(user: Self.user(role), password: ServiceHarness.password(Self.user(role)), clientId: client, deviceName: "d", appVersion: "t")
                )
            case .push: reply = harness.post(endpoint.path, PushRequest(clientId: client, mutations: []), token: token)
            case .pull: reply = harness.post(endpoint.path, PullRequest(clientId: client, cursor: 0, resultsAfter: 0), token: token)
            case .renew: reply = harness.post(endpoint.path, RenewRequest(clientId: client), token: token)
            }
            #expect(reply.status == 200, "\(role) on \(endpoint.path): \(reply.json)")
            if endpoint.requiresToken {
                let anonymous = harness.call("POST", endpoint.path, body: Array("{\"protocolVersion\":1,\"clientId\":\"x\"}".utf8))
                #expect(anonymous.status == 401 && anonymous.errorCode == "unauthorized", "\(endpoint.path) without a token")
            }
        }
    }

    @Test(arguments: Mediacion.registry.definitions.keys.sorted())
    func everyRoleAgainstEveryMutation(name: String) throws {
        let definition = try #require(Mediacion.registry.definition(named: name))
        for role in Self.roles {
            let harness = try ServiceHarness(users: [Self.user(role): role], accounts: 1)
            let token = try harness.login(Self.user(role), client: "equipo")
            let reply = harness.push(token, client: "equipo", [(name, [:])])
            let code = reply.json["results"]?[0]?["code"]?.stringValue
            if definition.allowedRoles.contains(role.rawValue) {
                #expect(code != "role_not_allowed", "\(role) may perform \(name)")
            } else {
                #expect(code == "role_not_allowed", "\(role) may not perform \(name), got \(code ?? "applied")")
            }
        }
    }
}
