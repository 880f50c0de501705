import Foundation
import GestionHTTP
import GestionProtocol
import GestionSQLite
import SyncCore
import TestFixtures
import Testing

/// Issue 6: the catalogue of bad inputs, table-driven, against the real server and executables.
/// Each entry is an input and the error it must get; after each category the server must still
/// answer. The CSV imports are one file per bad input; `ImportAssignmentTests` checks the error
/// report of a file with every kind of bad row at once.
@Suite(.serialized) struct BadInputCatalogueTests {
    /// Every entry of every table, counted: the issue asks for at least 150.
    static var size: Int {
        framingCases.count + ProtocolEntry.all.count + MutationEntry.all.count + CLIEntry.all.count + CSVEntry.all.count
    }

    @Test func theCatalogueIsLargeEnough() {
        #expect(Self.size >= 150, "\(Self.size) bad inputs")
        #expect(CSVEntry.all.count >= 25, "\(CSVEntry.all.count) assignment files")
        print(
            "bad-input catalogue: \(Self.size) entries (HTTP framing \(Self.framingCases.count), protocol messages \(ProtocolEntry.all.count), "
                + "mutation arguments \(MutationEntry.all.count), CSV imports \(CSVEntry.all.count), CLI arguments \(CLIEntry.all.count))"
        )
    }

    // MARK: HTTP framing

    /// The parser's catalogue of refusals, minus the entries that only make sense with a
    /// parser built with a tiny body limit.
    static let framingCases = HTTPFramingCatalogue.cases.filter { entry in
        guard case .rejected = entry.expected else { return false }
        return entry.maxBodySize == HTTPLimits.defaultMaxBodySize
    }

    @Test func malformedFramingIsRefusedByTheRealServerWhichStaysUp() throws {
        let directory = TemporaryDirectory("catalogue-http")
        let server = try TestServer(directory: directory)
        for entry in Self.framingCases {
            guard case .rejected(let error) = entry.expected else { continue }
            let client = try SocketClient(port: server.port)
            client.send(entry.bytes)
            let response = client.readResponse(timeout: .seconds(10))
            #expect(response?.status == error.status, "\(entry.name): \(response?.description ?? "no response")")
            let message = response.flatMap { try? JSONParser.parse($0.body) }?["error"]?["message"]?.stringValue
            #expect(message == error.reason, "\(entry.name)")
            #expect(response?.closesConnection == true && client.isClosedByServer(), "\(entry.name): the connection is closed")
        }
        let health = try SocketClient(port: server.port)
        health.send("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(health.readResponse()?.status == 200)
    }

    // MARK: Protocol messages

    /// A request to an endpoint and the error it must get.
    struct ProtocolEntry: Sendable {
        enum Credentials: Sendable { case none, valid, forged, basic }

        var name: String
        var method = "POST"
        var path: String
        var body: [UInt8]?
        var contentType: String? = "application/json"
        var credentials = Credentials.none
        var status: Int
        var code: String

        init(
            _ name: String, method: String = "POST", _ path: String, _ body: String?, contentType: String? = "application/json",
            auth credentials: Credentials = .none, _ status: Int, _ code: String
        ) {
            self.name = name
            self.method = method
            self.path = path
            self.body = body.map { Array($0.utf8) }
            self.contentType = contentType
            self.credentials = credentials
            self.status = status
            self.code = code
        }

        init(_ name: String, _ path: String, bytes: [UInt8], _ status: Int, _ code: String) {
            self.init(name, path, nil, status, code)
            body = bytes
        }

        static let client = "tel-catalogo"
        static let login = #""user":"asesor.uno","password":"Clave-de-prueba-1","deviceName":"Tel","appVersion":"t""#
        static func loginBody(_ extra: String, clientId: String = client) -> String {
            #"{"protocolVersion":1,"clientId":"\#(clientId)",\#(login)\#(extra)}"#
        }
        static func push(_ mutations: String, clientId: String = client) -> String {
            #"{"protocolVersion":1,"clientId":"\#(clientId)","mutations":\#(mutations)}"#
        }
        static func mutation(id: String = "1", name: String = #""registrarAceptacion""#, args: String = #"{"numeroCredito":"1000000001"}"#,
                             occurredAt: String = #""2026-11-27T10:00:00-06:00""#, hlc: String = #""001795795200000-0000""#) -> String {
            #"{"id":\#(id),"name":\#(name),"args":\#(args),"occurredAt":\#(occurredAt),"hlc":\#(hlc)}"#
        }
        static func pull(_ cursor: String, resultsAfter: String = "0", clientId: String = client, extra: String = "") -> String {
            #"{"protocolVersion":1,"clientId":"\#(clientId)","cursor":\#(cursor),"resultsAfter":\#(resultsAfter)\#(extra)}"#
        }

        static let all: [ProtocolEntry] = [
            // JSON syntax (strict RFC 8259)
            .init("not JSON", "/sync/login", "user=asesor", 400, "malformed_json"),
            .init("truncated JSON", "/sync/login", #"{"protocolVersion":1,"#, 400, "malformed_json"),
            .init("trailing comma", "/sync/login", loginBody(","), 400, "malformed_json"),
            .init("comment", "/sync/login", "/* hola */" + loginBody(""), 400, "malformed_json"),
            .init("duplicate member", "/sync/login", loginBody(#","clientId":"otro""#), 400, "malformed_json"),
            .init("byte order mark", "/sync/login", "\u{FEFF}" + loginBody(""), 400, "malformed_json"),
            .init("single quotes", "/sync/login", "{'protocolVersion':1}", 400, "malformed_json"),
            .init("leading zero", "/sync/login", #"{"protocolVersion":01}"#, 400, "malformed_json"),
            .init("NaN", "/sync/login", #"{"protocolVersion":NaN}"#, 400, "malformed_json"),
            .init("number out of double range", "/sync/pull", pull("1e400"), auth: .valid, 400, "malformed_json"),
            .init("lone surrogate", "/sync/login", #"{"protocolVersion":1,"user":"\ud800"}"#, 400, "malformed_json"),
            .init("invalid escape", "/sync/login", #"{"user":"\x41"}"#, 400, "malformed_json"),
            .init("raw control character in a string", "/sync/login", "{\"user\":\"a\u{01}b\"}", 400, "malformed_json"),
            .init("invalid UTF-8", "/sync/login", bytes: Array(#"{"user":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), 400, "malformed_json"),
            .init("overlong UTF-8", "/sync/login", bytes: Array(#"{"user":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), 400, "malformed_json"),
            .init("nesting 100 deep", "/sync/login", String(repeating: "[", count: 100) + String(repeating: "]", count: 100), 400, "malformed_json"),
            .init("text after the value", "/sync/login", loginBody("") + " {}", 400, "malformed_json"),
            .init("empty body", "/sync/login", "", 400, "malformed_json"),

            // Media type, method, path
            .init("text/plain body", "/sync/login", loginBody(""), contentType: "text/plain", 415, "unsupported_media_type"),
            .init("no content type", "/sync/login", loginBody(""), contentType: nil, 415, "unsupported_media_type"),
            .init("form encoding", "/sync/pull", pull("0"), contentType: "application/x-www-form-urlencoded", auth: .valid, 415, "unsupported_media_type"),
            .init("GET on push", method: "GET", "/sync/push", nil, contentType: nil, 405, "method_not_allowed"),
            .init("PUT on login", method: "PUT", "/sync/login", loginBody(""), 405, "method_not_allowed"),
            .init("unknown endpoint", "/sync/borrar", "{}", 404, "not_found"),
            .init("path traversal", method: "GET", "/sync/../etc/passwd", nil, contentType: nil, 404, "not_found"),

            // Message shape and version
            .init("top level is an array", "/sync/login", "[]", 400, "invalid_message"),
            .init("top level is a string", "/sync/login", #""login""#, 400, "invalid_message"),
            .init("no protocolVersion", "/sync/login", #"{"clientId":"tel-catalogo",\#(login)}"#, 400, "invalid_message"),
            .init("protocolVersion 0", "/sync/login", loginBody("").replacingOccurrences(of: #""protocolVersion":1"#, with: #""protocolVersion":0"#), 400, "unsupported_protocol_version"),
            .init("protocolVersion 2", "/sync/login", loginBody("").replacingOccurrences(of: #""protocolVersion":1"#, with: #""protocolVersion":2"#), 400, "unsupported_protocol_version"),
            .init("protocolVersion as text", "/sync/login", loginBody("").replacingOccurrences(of: #""protocolVersion":1"#, with: #""protocolVersion":"1""#), 400, "invalid_message"),
            .init("protocolVersion 1.5", "/sync/login", loginBody("").replacingOccurrences(of: #""protocolVersion":1"#, with: #""protocolVersion":1.5"#), 400, "invalid_message"),
            .init("login without user", "/sync/login", #"{"protocolVersion":1,"clientId":"tel-catalogo","password":"x","deviceName":"T","appVersion":"t"}"#, 400, "invalid_message"),
            .init("user is a number", "/sync/login", #"{"protocolVersion":1,"clientId":"tel-catalogo","user":7,"password":"x","deviceName":"T","appVersion":"t"}"#, 400, "invalid_message"),
            .init("user is null", "/sync/login", #"{"protocolVersion":1,"clientId":"tel-catalogo","user":null,"password":"x","deviceName":"T","appVersion":"t"}"#, 400, "invalid_message"),
            .init("reserved client id", "/sync/login", loginBody("", clientId: "server:gestion-server"), 400, "invalid_message"),
            .init("client id with a space", "/sync/login", loginBody("", clientId: "tel 1"), 400, "invalid_message"),
            .init("client id of 65 characters", "/sync/login", loginBody("", clientId: String(repeating: "a", count: 65)), 400, "invalid_message"),
            .init("wrong password", "/sync/login", loginBody("").replacingOccurrences(of: "Clave-de-prueba-1", with: "otra-clave"), 401, "wrong_credentials"),

            // Sessions
            .init("push without a token", "/sync/push", push("[]"), 401, "unauthorized"),
            .init("push with a forged token", "/sync/push", push("[]"), auth: .forged, 401, "invalid_token"),
            .init("push with Basic credentials", "/sync/push", push("[]"), auth: .basic, 401, "unauthorized"),
            .init("pull with a forged token", "/sync/pull", pull("0"), auth: .forged, 401, "invalid_token"),
            .init("renew with a forged token", "/sync/renew", #"{"protocolVersion":1,"clientId":"tel-catalogo"}"#, auth: .forged, 401, "invalid_token"),
            .init("push for another device", "/sync/push", push("[]", clientId: "tel-ajeno"), auth: .valid, 403, "client_mismatch"),
            .init("pull for another device", "/sync/pull", pull("0", clientId: "tel-ajeno"), auth: .valid, 403, "client_mismatch"),
            .init("renew for another device", "/sync/renew", #"{"protocolVersion":1,"clientId":"tel-ajeno"}"#, auth: .valid, 403, "client_mismatch"),

            // Push envelopes
            .init("mutations is an object", "/sync/push", push("{}"), auth: .valid, 400, "invalid_message"),
            .init("mutation without name", "/sync/push", push(#"[{"id":1,"args":{},"occurredAt":"2026-11-27T10:00:00Z","hlc":"001795795200000-0000"}]"#), auth: .valid, 400, "invalid_message"),
            .init("args is an array", "/sync/push", push("[" + mutation(args: "[]") + "]"), auth: .valid, 400, "invalid_message"),
            .init("args is null", "/sync/push", push("[" + mutation(args: "null") + "]"), auth: .valid, 400, "invalid_message"),
            .init("occurredAt without offset", "/sync/push", push("[" + mutation(occurredAt: #""2026-11-27T10:00:00""#) + "]"), auth: .valid, 400, "invalid_message"),
            .init("occurredAt with a space", "/sync/push", push("[" + mutation(occurredAt: #""2026-11-27 10:00:00Z""#) + "]"), auth: .valid, 400, "invalid_message"),
            .init("occurredAt 30 February", "/sync/push", push("[" + mutation(occurredAt: #""2026-02-30T10:00:00Z""#) + "]"), auth: .valid, 400, "invalid_message"),
            .init("occurredAt leap second", "/sync/push", push("[" + mutation(occurredAt: #""2026-12-31T23:59:60Z""#) + "]"), auth: .valid, 400, "invalid_message"),
            .init("occurredAt ten fraction digits", "/sync/push", push("[" + mutation(occurredAt: #""2026-11-27T10:00:00.0123456789Z""#) + "]"), auth: .valid, 400, "invalid_message"),
            .init("occurredAt as epoch number", "/sync/push", push("[" + mutation(occurredAt: "1795795200") + "]"), auth: .valid, 400, "invalid_message"),
            .init("hlc malformed", "/sync/push", push("[" + mutation(hlc: #""mañana""#) + "]"), auth: .valid, 400, "invalid_message"),
            .init("id 0", "/sync/push", push("[" + mutation(id: "0") + "]"), auth: .valid, 400, "invalid_message"),
            .init("id negative", "/sync/push", push("[" + mutation(id: "-1") + "]"), auth: .valid, 400, "invalid_message"),
            .init("id with a fraction", "/sync/push", push("[" + mutation(id: "1.5") + "]"), auth: .valid, 400, "invalid_message"),
            .init("id beyond 64 bits", "/sync/push", push("[" + mutation(id: "9223372036854775808") + "]"), auth: .valid, 400, "invalid_message"),
            .init("ids not consecutive", "/sync/push", push("[" + mutation(id: "1") + "," + mutation(id: "3") + "]"), auth: .valid, 400, "invalid_message"),
            .init("ids descending", "/sync/push", push("[" + mutation(id: "2") + "," + mutation(id: "1") + "]"), auth: .valid, 400, "invalid_message"),
            .init("a gap after the last processed id", "/sync/push", push("[" + mutation(id: "5") + "]"), auth: .valid, 409, "mutation_gap"),
            .init("1001 mutations", "/sync/push", push("[" + (1...1001).map { mutation(id: String($0)) }.joined(separator: ",") + "]"), auth: .valid, 400, "invalid_message"),

            // Pull
            .init("negative cursor", "/sync/pull", pull("-1"), auth: .valid, 400, "invalid_message"),
            .init("cursor as text", "/sync/pull", pull(#""0""#), auth: .valid, 400, "invalid_message"),
            .init("negative resultsAfter", "/sync/pull", pull("0", resultsAfter: "-5"), auth: .valid, 400, "invalid_message"),
            .init("cursor beyond the change log", "/sync/pull", pull("999999"), auth: .valid, 409, "invalid_cursor"),
        ]
    }

    @Test func malformedMessagesGetTheirProtocolErrors() async throws {
        let directory = TemporaryDirectory("catalogue-protocol")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        let raw = RawClient(base: server.url)
        let token = try await raw.login(user: "asesor.uno", clientID: ProtocolEntry.client)
        for entry in ProtocolEntry.all {
            var headers: [String: String] = [:]
            var bearer: String?
            switch entry.credentials {
            case .none: break
            case .valid: bearer = token
            case .forged: bearer = String(repeating: "Z", count: 43)
            case .basic: headers["Authorization"] = "Basic YXNlc29yOmNsYXZl"
            }
            let reply = try await raw.send(entry.method, entry.path, body: entry.body, token: bearer, contentType: entry.contentType, headers: headers)
            #expect(reply.status == entry.status && reply.errorCode == entry.code, "\(entry.name): \(reply.status) \(reply.errorCode ?? "-")")
            let message = reply.json?["error"]?["message"]?.stringValue ?? ""
            #expect(!message.isEmpty && !message.contains("Clave-de-prueba"), "\(entry.name): a message, and no secret in it")
        }
        #expect(try await raw.send("GET", "/healthz", contentType: nil).status == 200)
    }

    // MARK: Mutation arguments

    /// A mutation pushed by a user, and the rejection code its result must carry.
    struct MutationEntry: Sendable {
        var name: String
        var user: String
        var mutation: String
        var args: String
        var code: String

        init(_ name: String, _ user: String, _ mutation: String, _ args: String, _ code: String) {
            self.name = name
            self.user = user
            self.mutation = mutation
            self.args = args
            self.code = code
        }

        static let credito = Fixtures.credito(1)
        static let ajeno = "1000009999"

        static let all: [MutationEntry] = [
            // Name and role, checked first and second
            .init("unknown mutation", "asesor.uno", "inventada", "{}", "unknown_mutation"),
            .init("name in another case", "asesor.uno", "RegistrarAceptacion", #"{"numeroCredito":"\#(credito)"}"#, "unknown_mutation"),
            .init("empty name", "asesor.uno", "", "{}", "unknown_mutation"),
            .init("asesor approves", "asesor.uno", "aprobarCaso", #"{"numeroCredito":"\#(credito)"}"#, "role_not_allowed"),
            .init("asesor signs a convenio", "asesor.uno", "firmarConvenio", "{}", "role_not_allowed"),
            .init("asesor imports accounts", "asesor.uno", "importarCuenta", "{}", "role_not_allowed"),
            .init("asesor changes a plazo", "asesor.uno", "cambiarPlazo", #"{"plazo":"diasParaSesion","dias":120}"#, "role_not_allowed"),
            .init("asesor closes a case", "asesor.uno", "cerrarSinRegistro", #"{"numeroCredito":"\#(credito)"}"#, "role_not_allowed"),
            .init("mediador distributes", "mediador.uno", "distribuirCaso", #"{"numeroCredito":"\#(credito)","mediador":"mediador.uno"}"#, "role_not_allowed"),
            .init("mediador accepts for the borrower", "mediador.uno", "registrarAceptacion", #"{"numeroCredito":"\#(credito)"}"#, "role_not_allowed"),
            .init("agencia schedules a session", "agencia.uno", "agendarSesion", "{}", "role_not_allowed"),

            // Argument types and catalogues, checked third
            .init("no arguments", "asesor.uno", "registrarAceptacion", "{}", "invalid_arguments"),
            .init("credit number as boolean", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":true}"#, "invalid_arguments"),
            .init("credit number as number", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":1000000001}"#, "invalid_arguments"),
            .init("credit number null", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":null}"#, "invalid_arguments"),
            .init("unknown argument", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":"\#(credito)","urgente":true}"#, "invalid_arguments"),
            .init("round as text", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":"\#(credito)","ronda":"uno"}"#, "invalid_arguments"),
            .init("round with a fraction", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":"\#(credito)","ronda":1.5}"#, "invalid_arguments"),
            .init("phone as number", "asesor.uno", "registrarDatosContacto", #"{"numeroCredito":"\#(credito)","telefonoCelular":5512345678}"#, "invalid_arguments"),
            .init("refusal cause outside the catalogue", "mediador.uno", "registrarNegativaFirma", #"{"numeroCredito":"\#(credito)","causa":"no le gustó"}"#, "invalid_arguments"),
            .init("convenio type outside the catalogue", "mediador.uno", "firmarConvenio", #"{"numeroCredito":"\#(credito)","tipoConvenio":"Verbal","montoPago":1000,"fechaLimitePrimerPago":"2026-12-15","factorPago":1.2,"firmadoPorAcreditado":true,"firmadoPorRepresentante":true,"firmadoPorMediador":true,"originales":3,"acuseRecibo":true}"#, "invalid_arguments"),
            .init("amount as text", "mediador.uno", "firmarConvenio", #"{"numeroCredito":"\#(credito)","montoPago":"mil","fechaLimitePrimerPago":"2026-12-15","factorPago":1.2,"firmadoPorAcreditado":true,"firmadoPorRepresentante":true,"firmadoPorMediador":true,"originales":3,"acuseRecibo":true}"#, "invalid_arguments"),
            .init("calendar date 2026-13-01", "mediador.uno", "firmarConvenio", #"{"numeroCredito":"\#(credito)","montoPago":1000,"fechaLimitePrimerPago":"2026-13-01","factorPago":1.2,"firmadoPorAcreditado":true,"firmadoPorRepresentante":true,"firmadoPorMediador":true,"originales":3,"acuseRecibo":true}"#, "invalid_arguments"),
            .init("calendar date in Mexican format", "mediador.uno", "inscribirConvenioCJA", #"{"numeroCredito":"\#(credito)","fechaInscripcion":"27/11/2026","numeroInscripcion":"CJA-1","autoridad":"CJA"}"#, "invalid_arguments"),
            .init("signatures as text", "mediador.uno", "firmarConvenio", #"{"numeroCredito":"\#(credito)","montoPago":1000,"fechaLimitePrimerPago":"2026-12-15","factorPago":1.2,"firmadoPorAcreditado":"sí","firmadoPorRepresentante":true,"firmadoPorMediador":true,"originales":3,"acuseRecibo":true}"#, "invalid_arguments"),
            .init("documents not a list", "mediador.uno", "entregarExpediente", #"{"numeroCredito":"\#(credito)","documentos":"todos"}"#, "invalid_arguments"),
            .init("payment invitation medium outside the catalogue", "agencia.uno", "invitarPrimerPago", #"{"numeroCredito":"\#(credito)","medio":"paloma mensajera"}"#, "invalid_arguments"),
            .init("unknown plazo", "mediacion.uno", "cambiarPlazo", #"{"plazo":"diasDeGracia","dias":10}"#, "invalid_arguments"),
            .init("plazo days as text", "mediacion.uno", "cambiarPlazo", #"{"plazo":"diasParaSesion","dias":"noventa"}"#, "invalid_arguments"),
            .init("licence certified as text", "agencia.uno", "registrarMediador", #"{"usuario":"mediador.dos","nombre":"Mediador Ficticio","numeroLicencia":"LIC-2","certificado":"no"}"#, "invalid_arguments"),

            // Values, scope and state, checked by the rules
            .init("credit number of three digits", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":"123"}"#, "dato_invalido"),
            .init("credit number with letters", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":"10000000AB"}"#, "dato_invalido"),
            .init("credit number of eleven digits", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":"10000000011"}"#, "dato_invalido"),
            .init("credit number that does not exist", "asesor.uno", "registrarAceptacion", #"{"numeroCredito":"\#(ajeno)"}"#, "cuenta_no_existe"),
            .init("contact data before the privacy notice", "asesor.uno", "registrarDatosContacto", #"{"numeroCredito":"\#(credito)","telefonoCelular":"55 0000-0000"}"#, "aviso_privacidad_pendiente"),
            .init("plazo out of its range", "mediacion.uno", "cambiarPlazo", #"{"plazo":"diasParaSesion","dias":-3}"#, "plazo_invalido"),
            .init("mediador acts on a case not distributed to it", "mediador.uno", "registrarEncuesta", #"{"numeroCredito":"\#(credito)"}"#, "out_of_scope"),
            .init("resolving a conflict that does not exist", "mediacion.uno", "resolverConflicto", #"{"conflicto":"no-existe","eleccion":"keep","motivo":"prueba"}"#, "conflict_not_found"),
        ]
    }

    @Test func badMutationArgumentsAreRejectedOneByOneWithTheirCodes() async throws {
        let directory = TemporaryDirectory("catalogue-mutations")
        let users = ["asesor.uno": "asesor", "mediador.uno": "mediador", "agencia.uno": "agencia", "mediacion.uno": "mediacion"]
        let server = try TestServer(directory: directory, users: users, accountsCSV: Cuentas.csv(1))
        let raw = RawClient(base: server.url)
        var sessions: [String: (token: String, next: Int64)] = [:]
        for user in users.keys.sorted() {
            sessions[user] = (try await raw.login(user: user, clientID: "cat-\(user)"), 1)
        }
        let versionBefore = try Tables.serverScalar(server, "SELECT COALESCE(MAX(version), 0) FROM change_sets")
        for entry in MutationEntry.all {
            let session = try #require(sessions[entry.user])
            let body = ProtocolEntry.push(
                "[" + ProtocolEntry.mutation(id: String(session.next), name: "\"\(entry.mutation)\"", args: entry.args) + "]",
                clientId: "cat-\(entry.user)"
            )
            let reply = try await raw.send("POST", "/sync/push", body: Array(body.utf8), token: session.token)
            sessions[entry.user]?.next += 1
            let result = reply.json?["results"]?[0]
            #expect(result?["status"]?.stringValue == "rejected", "\(entry.name): \(reply.status) \(result.map { "\($0)" } ?? "no result")")
            #expect(result?["code"]?.stringValue == entry.code, "\(entry.name): \(result?["code"]?.stringValue ?? "-")")
            let message = result?["message"]?.stringValue ?? ""
            #expect(!message.isEmpty && !message.contains("Persona Ficticia"), "\(entry.name): a message without personal data")
        }
        let versionAfter = try Tables.serverScalar(server, "SELECT COALESCE(MAX(version), 0) FROM change_sets")
        #expect(versionAfter == versionBefore, "no rejected mutation changed anything")
    }

    // MARK: CSV imports

    /// An assignment file with one bad input, and how `admin import-assignment` answers it: the
    /// exit status, words of what it prints, and how many accounts it loads (none when the file is
    /// refused, and then nothing at all changes).
    struct CSVEntry: Sendable {
        var name: String
        /// The file's bytes; `nil`: no file at that path.
        var bytes: [UInt8]?
        var dryRun: Bool
        var status: Int32
        var message: String
        var accounts: Int

        init(_ name: String, _ text: String, dryRun: Bool = false, _ status: Int32, _ message: String, accounts: Int = 0) {
            self.init(name, bytes: Array(text.utf8), dryRun: dryRun, status, message, accounts: accounts)
        }

        init(_ name: String, bytes: [UInt8]?, dryRun: Bool = false, _ status: Int32, _ message: String, accounts: Int = 0) {
            self.name = name
            self.bytes = bytes
            self.dryRun = dryRun
            self.status = status
            self.message = message
            self.accounts = accounts
        }

        static let columns = ["numeroCredito", "acreditado", "delegacion", "despacho", "fechaAsignacion", "segmento", "etiqueta", "tipoConvenio"]

        /// The values of a valid row of made-up account `n`, in the order of `columns`, changed by `change`.
        static func row(_ n: Int, _ change: (inout [String]) -> Void = { _ in }) -> [String] {
            var values = [
                Fixtures.credito(n), "Persona Ficticia \(n)", "Delegación Ejemplo", "Agencia Ejemplo", "03/11/2025",
                "Cobranza Administrativa", "susceptible de mediación", "Administrativo",
            ]
            change(&values)
            return values
        }

        static func csv(_ rows: [[String]], header: [String] = columns, separator: String = ",") -> String {
            ([header] + rows).map { $0.joined(separator: separator) }.joined(separator: "\r\n") + "\r\n"
        }

        static let spanish = ["Número de crédito", "Acreditado", "Delegación", "Despacho", "Fecha de asignación", "Segmento", "Etiqueta", "Tipo de convenio"]
        static let nul = "is not a CSV text file: line 1 holds a NUL byte"

        static let all: [CSVEntry] = [
            // The file: encoding, header, rows
            .init("an empty file", "", 1, "is empty"),
            .init("only a byte order mark", bytes: [0xEF, 0xBB, 0xBF], 1, "is empty"),
            .init("no file at that path", bytes: nil, 1, "Cannot read"),
            .init("a header and no rows", csv([]), 1, "The file has a header but no rows: nothing to import."),
            .init("a header and blank rows only", csv([]) + ",,,,,,,\r\n\r\n", 1, "The file has a header but no rows"),
            .init("an Excel workbook instead of CSV", bytes: [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00], 1, nul),
            .init("binary garbage", bytes: [0x00, 0x01, 0xFF, 0xFE, 0x80, 0x9C, 0x0A, 0x00, 0x7F], 1, nul),
            .init("UTF-16 without its byte order mark", bytes: Array(csv([row(501)]).utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }), 1, nul),
            .init(
                "byte order mark of UTF-8, then Latin-1 bytes", bytes: [0xEF, 0xBB, 0xBF] + Array(csv([]).utf8) + Array("\(Fixtures.credito(502)),Persona N".utf8) + [0xFA, 0xF1]
                    + Array("ez,Delegación Ejemplo,Agencia Ejemplo,03/11/2025,Cobranza Administrativa,susceptible de mediación,Administrativo\r\n".utf8),
                1, "line 2: the file says it is UTF-8 but holds bytes that are not UTF-8"
            ),
            .init("a required column missing", csv([Array(row(503).prefix(7))], header: Array(columns.prefix(7))), 1,
                  "The header lacks the column Tipo de convenio (or tipoConvenio); every row needs it."),
            .init("the same column twice, in two spellings", csv([row(504) + ["Otra"]], header: columns + ["Delegación"]), 1,
                  "The column Delegación is already in the header as “delegacion”."),
            .init("a misspelt optional column", csv([row(505) + [""]], header: columns + ["Asesr"]), 1, "Asesr: Unknown column. The columns are:"),
            .init("a quote inside a header name", csv([row(506)], header: columns.dropLast() + [#"tipo"Convenio"#]), 1, "The header is not valid CSV"),

            // The shape of a row
            .init("a row with a value more than the header", csv([row(507) + ["nota"]]), 1, "Row 2: 9 values where the header has 8 columns"),
            .init("a row with a value less than the header", csv([Array(row(508).dropLast())]), 1, "Row 2: 7 values where the header has 8 columns"),
            .init("an unterminated quote", csv([row(509) { $0[1] = #""Persona Ficticia"# }]), 1, "a quoted field is not closed"),

            // Values
            .init("a credit number of 11 digits", csv([row(510) { $0[0] = "10000005101" }]), 1, "Has 11 digits; a credit number has 10."),
            .init("a credit number with a space inside", csv([row(511) { $0[0] = "10000 00511" }]), 1, "Has characters other than digits"),
            .init("a credit number of 9 digits, in a dry run", csv([row(512) { $0[0] = "100000512" }]), dryRun: true, 1, "Has 9 digits"),
            .init("the same credit twice with different data", csv([row(513), row(513) { $0[2] = "Delegación Otra" }]), 1,
                  "Row 3: numeroCredito: The same credit number is in row 2: each credit appears once."),
            .init("29 February of a common year", csv([row(514) { $0[4] = "29/02/2025" }]), 1, "“29/02/2025” is not a real date."),
            .init("30 February written year first", csv([row(515) { $0[4] = "2025-02-30" }]), 1, "“2025-02-30” is not a real date."),
            .init("a date with its time, as a spreadsheet exports it", csv([row(516) { $0[4] = "2025-11-03 00:00:00" }]), 1, "has a time: write only the date"),
            .init("an assignment date in the future", csv([row(517) { $0[4] = "01/01/2099" }]), 1, "2099-01-01 is after today"),
            .init("an empty delegación", csv([row(518) { $0[2] = "" }]), 1, "Empty: every row needs the Delegación."),
            .init("a segmento outside the catalogue", csv([row(519) { $0[5] = "Cobranza Judicial" }]), 1, "“Cobranza Judicial” is not a segment"),
            .init("an etiqueta outside the catalogue", csv([row(520) { $0[6] = "no susceptible" }]), 1, "“no susceptible” is not a label"),
            .init("a tipoConvenio outside the catalogue", csv([row(521) { $0[7] = "Verbal" }]), 1, "“Verbal” is not a convenio type"),

            // Accepted: what a spreadsheet writes, and what the procedure says
            .init("a delegación no user has yet: loaded as written", csv([row(522) { $0[2] = "Delegación Nueva" }]), 0, "1 new", accounts: 1),
            .init("two breached convenios: left out, not an error", csv([row(523) + ["2"]], header: columns + ["conveniosIncumplidos"]), 0,
                  "1 excluded (1 not loaded)"),
            .init(
                "Latin-1 with semicolons and Spanish headers, as Excel in Mexico saves CSV",
                bytes: Array(csv([row(524) { $0[1] = "Persona Ficticia Núñez"; $0[5] = "Recuperación Especializada" }], header: spanish, separator: ";")
                    .unicodeScalars.map { UInt8($0.value) }),
                0, "Windows-1252 (Latin-1), separator ';' (semicolon), 1 row.", accounts: 1
            ),
            .init("semicolons in UTF-8", csv([row(525)], separator: ";"), 0, "UTF-8, separator ';' (semicolon), 1 row.", accounts: 1),
            .init(
                "UTF-16 with its byte order mark and tabs (Excel's Unicode text)",
                bytes: [0xFF, 0xFE] + Array(csv([row(526)], header: spanish, separator: "\t").utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
                0, "UTF-16, separator tab, 1 row.", accounts: 1
            ),
            .init("Excel's sep=; first line", "sep=;\r\n" + csv([row(527)], separator: ";"), 0, "separator ';' (semicolon), 1 row.", accounts: 1),
            .init("old Mac line ends (CR only)", csv([row(528)]).replacingOccurrences(of: "\r\n", with: "\r"), 0, "1 row.", accounts: 1),
        ]
    }

    @Test func badAssignmentFilesAreRefusedWholeAndSpreadsheetExportsAreRead() throws {
        let directory = TemporaryDirectory("catalogue-csv")
        let server = try TestServer(directory: directory)
        func cuentas() throws -> SQLiteValue? { try Tables.serverScalar(server, "SELECT COUNT(*) FROM records WHERE collection = 'cuentas'") }
        func version() throws -> SQLiteValue? { try Tables.serverScalar(server, "SELECT COALESCE(MAX(version), 0) FROM change_sets") }
        for (index, entry) in CSVEntry.all.enumerated() {
            let path = directory.path("asignacion-\(index + 1).csv")
            if let bytes = entry.bytes { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
            let (cuentasBefore, versionBefore) = (try cuentas()?.int64 ?? -1, try version())
            let result = try server.admin(["import-assignment"] + (entry.dryRun ? ["--dry-run"] : []) + [path], expectSuccess: false)
            let output = result.stdout + result.stderr
            #expect(result.status == entry.status, "\(entry.name): exit \(result.status) \(output)")
            #expect(output.contains(entry.message), "\(entry.name): \(output)")
            #expect(!output.contains("Ficticia"), "\(entry.name): no borrower's name on the screen")
            #expect(try cuentas()?.int64 ?? -1 == cuentasBefore + Int64(entry.accounts), "\(entry.name): \(entry.accounts) accounts loaded")
            if entry.status != 0 {
                #expect(try version() == versionBefore, "\(entry.name): nothing was imported")
            }
        }
        #expect(server.isRunning)
    }

    // MARK: Command-line arguments

    /// A command line of one of the executables and how it must fail.
    struct CLIEntry: Sendable {
        enum Program: Sendable { case server, device }

        var name: String
        var program: Program
        var arguments: [String]
        var status: Int32
        var message: String

        init(_ name: String, _ program: Program, _ arguments: [String], _ status: Int32, _ message: String) {
            self.name = name
            self.program = program
            self.arguments = arguments
            self.status = status
            self.message = message
        }

        static let all: [CLIEntry] = [
            .init("server: unknown command", .server, ["frobnicate"], 64, "Unknown"),
            .init("server: port not a number", .server, ["serve", "--port", "abc"], 64, "'--port' must be a whole number"),
            .init("server: port out of range", .server, ["serve", "--port", "70000"], 64, "'--port' must be a whole number"),
            .init("server: unknown option", .server, ["serve", "--turbo"], 64, "Unknown option '--turbo'"),
            .init("server: admin without subcommand", .server, ["admin"], 64, "Missing admin subcommand"),
            .init("server: unknown admin subcommand", .server, ["admin", "borrar-todo"], 64, "Unknown admin subcommand"),
            .init("server: sweep on 30 February", .server, ["admin", "sweep", "--as-of", "2026-02-30"], 64, "'--as-of' must be a date"),
            .init("server: retire without a device", .server, ["admin", "device", "retire"], 64, "client id"),
            .init("server: import without a file", .server, ["admin", "import-assignment"], 64, "Missing the CSV file"),
            .init("server: restore while the server runs", .server, ["admin", "restore", "/nonexistent/respaldo.sqlite"], 1, "is serving"),
            .init("server: conflicts with an argument", .server, ["admin", "conflicts", "abiertos"], 64, "Unexpected argument 'abiertos'"),
            .init("server: user name with capitals", .server, ["admin", "user", "add", "--user", "Asesor.Uno", "--role", "asesor", "--password-stdin"], 64, "lowercase"),
            .init("server: unknown role", .server, ["admin", "user", "add", "--user", "piloto.uno", "--role", "piloto", "--password-stdin"], 64, "Unknown role 'piloto'"),
            .init("server: password on the command line", .server, ["admin", "user", "add", "--user", "asesor.dos", "--role", "asesor", "--password", "x"], 64, "Unknown option '--password'"),
            .init("device: no replica", .device, ["sync"], 64, "Missing '--replica'"),
            .init("device: unknown subcommand", .device, ["--replica", "$REPLICA", "frobnicate"], 64, "Unknown subcommand 'frobnicate'"),
            .init("device: accept without a credit", .device, ["--replica", "$REPLICA", "aceptar"], 64, "Missing the credit number"),
            .init("device: unknown option", .device, ["--replica", "$REPLICA", "aceptar", "1000000001", "--urgente"], 64, "Unknown option '--urgente'"),
            .init("device: arguments not JSON", .device, ["--replica", "$REPLICA", "mutate", "registrarAceptacion", "{numeroCredito}"], 64, "not valid JSON"),
            .init("device: arguments not an object", .device, ["--replica", "$REPLICA", "mutate", "registrarAceptacion", "[1]"], 64, "must be a JSON object"),
            .init("device: unknown action", .device, ["--replica", "$REPLICA", "mutate", "inventada", "{}"], 1, "Unknown action"),
            .init("device: login to a non-HTTP server", .device, ["--replica", "$REPLICA", "login", "--server", "ftp://x", "--user", "a", "--password-stdin"], 64, "must be a URL"),
            .init("device: dismiss a non-number", .device, ["--replica", "$REPLICA", "descartar", "abc"], 64, "is not a change number"),
            .init("device: replica in a missing directory", .device, ["--replica", "/nonexistent/dir/r.sqlite", "casos"], 1, "could not be read or written"),
            .init("device: sync before signing in", .device, ["--replica", "$FRESH", "sync"], 1, "Sign in once"),
        ]
    }

    @Test func badCommandLinesAreExplainedWithUsageOrFailureStatus() throws {
        let directory = TemporaryDirectory("catalogue-cli")
        let server = try TestServer(directory: directory, users: ["asesor.uno": "asesor"], accountsCSV: Cuentas.csv(1))
        let device = DeviceCLI(directory, "telefono", user: "asesor.uno")
        try device.login(server)
        for entry in CLIEntry.all {
            let arguments = entry.arguments.map {
                $0 == "$REPLICA" ? device.replica : $0 == "$FRESH" ? directory.path("nuevo.sqlite") : $0
            }
            let result: ProcessResult
            switch entry.program {
            case .server:
                result = try runProcess(
                    Products.server, arguments.first == "admin" ? ["admin", "--data-dir", server.dataDirectory.path] + arguments.dropFirst() : arguments,
                    stdin: "Clave-de-prueba-larga\n",
                    environment: ["GESTION_ADMIN_USER": TestServer.administrator, "GESTION_ADMIN_PASSWORD": TestServer.password(TestServer.administrator)]
                )
            case .device:
                result = try runProcess(Products.device, arguments, stdin: "")
            }
            #expect(result.status == entry.status, "\(entry.name): exit \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(entry.message), "\(entry.name): \(result.stderr)")
        }
        #expect(server.isRunning)
    }
}
