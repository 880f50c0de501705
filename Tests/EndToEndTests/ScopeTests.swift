import Foundation
import GestionProtocol
import SyncCore
import Testing

/// Issue 4: each device receives exactly its user's scope (read from its replica file), and a
/// mutation outside the author's scope is refused and audited, without leaking anything.
@Suite struct ScopeTests {
    static let cuentas = """
        numeroCredito,acreditado,delegacion,despacho,fechaAsignacion,segmento,etiqueta,tipoConvenio,conveniosIncumplidos,asesor
        1000000001,Persona Ficticia 1,Delegación Norte,Agencia Alfa,2026-11-02,Cobranza Administrativa,susceptible de mediación,Administrativo,0,asesor.uno
        1000000002,Persona Ficticia 2,Delegación Norte,Agencia Alfa,2026-11-02,Cobranza Administrativa,susceptible de mediación,Administrativo,0,asesor.dos
        1000000003,Persona Ficticia 3,Delegación Sur,Agencia Beta,2026-11-02,Cobranza Administrativa,susceptible de mediación,Administrativo,0,asesor.uno
        1000000004,Persona Ficticia 4,Delegación Sur,Agencia Beta,2026-11-02,Cobranza Administrativa,susceptible de mediación,Administrativo,0,

        """

    /// The credit numbers of the accounts a replica file holds.
    func accounts(_ device: DeviceCLI) throws -> Set<String> {
        Set(try Tables.records(ofFile: device.replica).filter { $0[0] == "cuentas" }.map { $0[1] })
    }

    /// Every record of the replica belongs to one of `accounts` or to a collection outside accounts.
    func holdsOnly(_ device: DeviceCLI, _ accounts: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for record in try Tables.records(ofFile: device.replica) {
            let owner = record[2].range(of: #""numeroCredito":"(\d{10})""#, options: .regularExpression)
                .map { String(record[2][$0].suffix(11).prefix(10)) }
            if let owner {
                #expect(accounts.contains(owner), "\(device.user) holds \(record[0])/\(record[1]) of another account", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func eachDeviceReceivesExactlyItsScope() throws {
        let directory = TemporaryDirectory("scopes")
        let server = try TestServer(
            directory: directory,
            users: [
                "asesor.uno": "asesor", "asesor.dos": "asesor", "delegacion.norte": "delegacion:Delegación Norte",
                "agencia.alfa": "agencia:Agencia Alfa", "agencia.beta": "agencia:Agencia Beta", "mediador.uno": "mediador",
                "operacion.uno": "operacion",
            ],
            accountsCSV: Self.cuentas
        )
        let device = { (user: String) in DeviceCLI(directory, user, user: user) }
        let (asesorUno, asesorDos, norte, alfa, beta, mediador, operacion) = (
            device("asesor.uno"), device("asesor.dos"), device("delegacion.norte"), device("agencia.alfa"),
            device("agencia.beta"), device("mediador.uno"), device("operacion.uno")
        )
        for d in [asesorUno, asesorDos, norte, alfa, beta, mediador, operacion] {
            try d.login(server)
            try d.ok(["sync"])
        }
        // The borrower of account 1 accepts; Agencia Alfa distributes it to the mediator.
        try asesorUno.ok(["aceptar", "1000000001"])
        try asesorUno.ok(["aviso-privacidad", "1000000001"])
        try asesorUno.ok(["contacto", "1000000001", "--celular", "5512345678"])
        try asesorUno.ok(["sync"])
        try alfa.ok(["registrar-mediador", "--usuario", "mediador.uno", "--nombre", "Mediador Ficticio", "--licencia", "LIC-9"])
        try alfa.ok(["sync"])
        try alfa.ok(["aprobar", "1000000001"])
        try alfa.ok(["distribuir", "1000000001", "--mediador", "mediador.uno"])
        for d in [alfa, asesorUno, asesorDos, norte, beta, mediador, operacion] { try d.ok(["sync"]) }

        let expected: [(DeviceCLI, Set<String>)] = [
            (asesorUno, ["1000000001", "1000000003", "1000000004"]),  // its own, and the unassigned one
            (asesorDos, ["1000000002", "1000000004"]),
            (norte, ["1000000001", "1000000002"]),
            (alfa, ["1000000001", "1000000002"]),
            (beta, ["1000000003", "1000000004"]),
            (mediador, ["1000000001"]),  // only the case distributed to it, whole
            (operacion, ["1000000001", "1000000002", "1000000003", "1000000004"]),
        ]
        for (d, scope) in expected {
            #expect(try accounts(d) == scope, "\(d.user)")
            try holdsOnly(d, scope)
            #expect(try Tables.records(ofFile: d.replica) == Tables.serverRecords(server, visibleTo: d.user), "\(d.user)")
        }
        // The mediator received the account whole when it was distributed: case, contact data, history.
        let delMediador = try Tables.records(ofFile: mediador.replica).map { $0[0] }
        #expect(delMediador.contains("contactos") && delMediador.contains("casos") && delMediador.contains("historial"))
        // Registries are not for asesores.
        #expect(!(try Tables.records(ofFile: asesorUno.replica).contains { $0[0] == "mediadores" }))
        #expect(try Tables.records(ofFile: alfa.replica).contains { $0[0] == "mediadores" })
    }

    @Test func aMutationOutsideTheAuthorsScopeIsRefusedAuditedAndLeaksNothing() async throws {
        let directory = TemporaryDirectory("out-of-scope")
        let server = try TestServer(
            directory: directory, users: ["asesor.uno": "asesor", "asesor.dos": "asesor", "delegacion.sur": "delegacion:Delegación Sur"],
            accountsCSV: Self.cuentas
        )
        let raw = RawClient(base: server.url)
        // asesor.dos tries account 1 (asesor.uno's) and, as a delegación of the south, a northern one.
        let token = try await raw.login(user: "asesor.dos", clientID: "telefono-dos")
        let reply = try await raw.post(
            "/sync/push",
            PushRequest(
                clientId: "telefono-dos",
                mutations: [
                    MutationEnvelope(id: 1, name: "registrarAceptacion", args: ["numeroCredito": "1000000001"], occurredAt: Date(), hlc: .zero),
                    MutationEnvelope(id: 2, name: "registrarAceptacion", args: ["numeroCredito": "1000000002"], occurredAt: Date(), hlc: .zero),
                ]
            ),
            token: token
        )
        let results = try JSONValueDecoder().decode(PushResponse.self, from: reply.body).results
        #expect(results.map(\.code) == ["out_of_scope", nil], "its own account is fine")
        #expect(results[0].message == "This record is not assigned to you, so you cannot act on it.")
        #expect(!String(decoding: reply.body, as: UTF8.self).contains("Persona Ficticia"))
        #expect(try server.admin(["audit", "export", "--case", "1000000001"]).stdout.contains("rejected:out_of_scope"))

        let sur = try await raw.login(user: "delegacion.sur", clientID: "oficina-sur")
        let pulled = try await raw.post("/sync/pull", PullRequest(clientId: "oficina-sur", cursor: 0, resultsAfter: 0), token: sur)
        let page = try JSONValueDecoder().decode(PullResponse.self, from: pulled.body)
        let seen = Set(page.changeSets.flatMap(\.changes).filter { $0.collection == "cuentas" }.map(\.id))
        #expect(seen == ["1000000003", "1000000004"])
    }
}
