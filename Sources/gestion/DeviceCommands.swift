import CommandLineSupport
import Foundation
import GestionClient
import GestionProtocol
import Mediacion
import SyncCore

#if canImport(Glibc)
    import Glibc
#endif

/// The device subcommands, over one open replica.
struct DeviceCommands {
    let replica: LocalReplica
    let parsed: ParsedArguments

    func credito() throws(UsageError) -> String {
        try parsed.positionals(exactly: 1, names: "the credit number")[0]
    }

    // MARK: Session and sync

    func login() async throws -> Int32 {
        _ = try parsed.positionals(exactly: 0, names: "")
        let serverText = try parsed.required("server")
        guard let server = URL(string: serverText), server.scheme == "http" || server.scheme == "https", server.host != nil else {
            throw UsageError("'--server' must be a URL like http://127.0.0.1:8080.")
        }
        let user = try parsed.required("user")
        let deviceName = try parsed.required("device-name")
        guard parsed.flags.contains("password-stdin") else {
            throw UsageError("Give the password on standard input with --password-stdin (never on the command line).")
        }
        guard let password = readSecretFromStandardInput(), !password.isEmpty else {
            throw CommandFailure("No password on standard input.")
        }
        let client = SyncClient(replica: replica, appVersion: "gestion-cli/\(DeviceCommandLine.version)")
        do {
            let session = try await client.login(server: server, user: user, password: password, deviceName: deviceName)
            print("Signed in as \(session.userID) (\(session.role)) on \(server.absoluteString).")
            print("Run 'gestion sync' to download your accounts; after that this device also works offline.")
            return ExitStatus.success
        } catch {
            throw CommandFailure(error.description)
        }
    }

    func sync() async throws -> Int32 {
        _ = try parsed.positionals(exactly: 0, names: "")
        let retries = try parsed.integer("retries", default: 3, in: 0...100)
        let client = SyncClient(replica: replica, appVersion: "gestion-cli/\(DeviceCommandLine.version)")
        let faults = CrashPoints.fromEnvironment()
        let policy = RetryPolicy(baseDelay: .milliseconds(500), maxDelay: .seconds(30), maxAttempts: retries + 1)
        do {
            let summary = try await client.sync(retrying: policy) { progress in
                faults.reached(progress)
                switch progress {
                case .pushing(let count): print("Sending \(count) change(s)…")
                case .pushed(let applied, let rejected):
                    print("  server applied \(applied), refused \(rejected)")
                case .pulled(let changeSets, _, let more):
                    print("Received \(changeSets) change-set(s)\(more ? ", more to come…" : ".")")
                }
            }
            let status = try replica.status()
            print(
                "Synced: \(summary.pushed) sent, \(summary.rejected) refused, \(summary.changeSetsReceived) received. "
                    + "\(status.pendingCount) pending."
            )
            if status.rejectedCount > 0 {
                print("\(status.rejectedCount) refused change(s): see 'gestion rechazos'.")
            }
            return ExitStatus.success
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    func status() throws -> Int32 {
        _ = try parsed.positionals(exactly: 0, names: "")
        let status = try replica.status()
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(try JSONValueEncoder().encode(status)))
            return ExitStatus.success
        }
        print("Device:        \(status.clientID)")
        print("User:          \(status.user.map { "\($0) (\(status.role ?? ""))" } ?? "not signed in")")
        print("Server:        \(status.server ?? "-")")
        print("Pending:       \(status.pendingCount)" + (status.oldestPendingAt.map { ", oldest from \(Show.time($0))" } ?? ""))
        print("Refused:       \(status.rejectedCount)")
        print("Last sync:     \(status.lastSuccessfulSync.map(Show.time) ?? "never")")
        print("Last error:    \(status.lastError ?? "-")")
        return ExitStatus.success
    }

    // MARK: Queries

    func casos() throws -> Int32 {
        _ = try parsed.positionals(exactly: 0, names: "")
        let cuentas = try replica.records(in: Cuenta.collection)
        var casos: [String: ReplicaRecord] = [:]
        for caso in try replica.records(in: Caso.collection) { casos[caso.key.id] = caso }
        var rows: [JSONValue] = []
        for cuenta in cuentas {
            let decoded = try Cuenta(body: cuenta.body)
            let caso = casos[decoded.casoActual]
            let estatus = caso?.body["estatus"]?.stringValue
            let state = [cuenta.syncState, caso?.syncState ?? .synced].contains(.pending)
                ? SyncState.pending : caso?.syncState ?? cuenta.syncState
            rows.append([
                "numeroCredito": .string(decoded.numeroCredito), "acreditado": .string(decoded.acreditado),
                "estatus": estatus.map(JSONValue.string) ?? .null, "syncState": .string(state.rawValue),
            ])
        }
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(.array(rows)))
            return ExitStatus.success
        }
        if rows.isEmpty {
            print("No accounts on this device yet: run 'gestion sync'.")
            return ExitStatus.success
        }
        print(Show.pad("CRÉDITO", 12) + Show.pad("ESTATUS", 24) + Show.pad("SINCRONÍA", 14) + "ACREDITADO")
        for row in rows {
            print(
                Show.pad(row["numeroCredito"]?.stringValue ?? "", 12) + Show.pad(row["estatus"]?.stringValue ?? "Sin respuesta", 24)
                    + Show.pad(Show.state(row["syncState"]?.stringValue ?? ""), 14) + (row["acreditado"]?.stringValue ?? "")
            )
        }
        return ExitStatus.success
    }

    func caso() throws -> Int32 {
        let numero = try credito()
        guard let cuenta = try replica.record(Cuenta.key(numero)) else {
            throw CommandFailure("The account is not on this device (run 'gestion sync', or check the number).")
        }
        let ronda = try Cuenta(body: cuenta.body).casoActual
        let caso = try replica.record(Caso.key(ronda))
        let contacto = try replica.record(DatosContacto.key(numero))
        let sesiones = try replica.records(in: Sesion.collection).filter { $0.body["casoId"]?.stringValue == ronda }
        func describe(_ record: ReplicaRecord?) -> JSONValue {
            guard let record else { return .null }
            var body = record.body
            body["syncState"] = .string(record.syncState.rawValue)
            return .object(body)
        }
        // The next deadline, computed here on the device exactly as the server computes it.
        let plazos = try replica.record(Plazos.key(Plazos.registroID)).flatMap { try? Plazos(body: $0.body) } ?? .procedimiento
        let siguiente = caso.flatMap { try? Caso(body: $0.body) }.flatMap {
            Vencimientos.siguiente(caso: $0, plazos: plazos, ahora: replica.now)
        }
        let vencimiento: JSONValue = siguiente.map { (v: Vencimiento) -> JSONValue in
            [
                "pendiente": .string(v.pendiente), "fechaLimite": .string(v.fechaLimite.description), "vencido": .bool(v.vencido),
                "responsable": .string(v.responsable.rawValue),
            ]
        } ?? .null
        let view: JSONValue = [
            "cuenta": describe(cuenta), "caso": describe(caso), "contacto": describe(contacto),
            "sesiones": .array(sesiones.map { describe($0) }), "siguienteVencimiento": vencimiento,
        ]
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(view))
            return ExitStatus.success
        }
        for section in ["cuenta", "caso", "contacto"] {
            print("\(section.uppercased()):")
            guard case .object(let body) = view[section] ?? .null else {
                print("  -")
                continue
            }
            for key in body.keys.sorted() { print("  \(Show.pad(key, 26))\(Show.value(body[key]!))") }
        }
        if let siguiente {
            print("NEXT DEADLINE:\n  \(siguiente.pendiente) by \(siguiente.fechaLimite)" + (siguiente.vencido ? " — OVERDUE" : ""))
        }
        print("SESIONES:")
        if sesiones.isEmpty { print("  -") }
        for sesion in sesiones {
            print("  \(Show.value(sesion.body["fechaHora"] ?? .null))  \(Show.value(sesion.body["medioConvocatoria"] ?? .null))  [\(Show.state(sesion.syncState.rawValue))]")
        }
        return ExitStatus.success
    }

    /// `gestion agenda`: the user's deadlines from the replica (the server's state plus this
    /// device's pending work), on the device's Mexico City date.
    func agenda() throws -> Int32 {
        _ = try parsed.positionals(exactly: 0, names: "")
        let dias = try parsed.integer("dias", default: Agenda.diasProximosPredeterminados, in: 0...366)
        let status = try replica.status()
        guard let user = status.user, let role = status.role else {
            throw CommandFailure("Not signed in on this device: run 'gestion login' first.")
        }
        var registros: [RecordKey: JSONObject] = [:]
        for collection in [Cuenta.collection, Caso.collection, Plazos.collection] {
            for record in try replica.records(in: collection) { registros[record.key] = record.body }
        }
        let agenda = Agenda.calcular(
            usuario: UserProfile(id: user, role: role), registros: registros, hoy: CalendarioMX.fecha(replica.now), diasProximos: dias
        )
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(try JSONValueEncoder().encode(agenda)))
        } else {
            print(agenda.texto, terminator: "")
            if status.pendingCount > 0 {
                print("(\(status.pendingCount) change(s) of this device not yet confirmed by the server are included.)")
            }
        }
        return ExitStatus.success
    }

    func pendientes() throws -> Int32 {
        _ = try parsed.positionals(exactly: 0, names: "")
        let pending = try replica.pendingMutations()
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(.array(pending.map { mutation in
                [
                    "id": .int(mutation.id), "name": .string(mutation.name), "args": .object(mutation.args),
                    "occurredAt": .string(RFC3339.string(from: mutation.occurredAt)), "acknowledged": .bool(mutation.acknowledged),
                    "localError": mutation.localError.map(JSONValue.string) ?? .null,
                ]
            })))
            return ExitStatus.success
        }
        if pending.isEmpty { print("Nothing pending.") }
        for mutation in pending {
            let note = mutation.acknowledged ? " (received by the server)" : ""
            print("#\(mutation.id) \(mutation.name) \(JSONSerializer.string(.object(mutation.args))) at \(Show.time(mutation.occurredAt))\(note)")
            if let localError = mutation.localError { print("    note: \(localError)") }
        }
        return ExitStatus.success
    }

    func rechazos() throws -> Int32 {
        _ = try parsed.positionals(exactly: 0, names: "")
        let rejections = try replica.rejections()
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(.array(rejections.map { rejection in
                [
                    "id": .int(rejection.id), "name": .string(rejection.name), "args": .object(rejection.args),
                    "occurredAt": .string(RFC3339.string(from: rejection.occurredAt)), "code": .string(rejection.code),
                    "message": .string(rejection.message),
                ]
            })))
            return ExitStatus.success
        }
        if rejections.isEmpty { print("No refused changes.") }
        for rejection in rejections {
            print("#\(rejection.id) \(rejection.name) \(JSONSerializer.string(.object(rejection.args))) at \(Show.time(rejection.occurredAt))")
            print("    refused (\(rejection.code)): \(rejection.message)")
        }
        return ExitStatus.success
    }

    func avisos() throws -> Int32 {
        _ = try parsed.positionals(exactly: 0, names: "")
        let notices = try replica.resolutions()
        if parsed.flags.contains("json") {
            print(JSONSerializer.string(.array(notices.map { notice in
                [
                    "id": .int(notice.id), "name": .string(notice.name), "args": .object(notice.args),
                    "occurredAt": .string(RFC3339.string(from: notice.occurredAt)), "resolution": .string(notice.resolution),
                ]
            })))
            return ExitStatus.success
        }
        if notices.isEmpty { print("No notices.") }
        for notice in notices {
            print("#\(notice.id) \(notice.name) \(JSONSerializer.string(.object(notice.args))) at \(Show.time(notice.occurredAt))")
            print("    \(notice.resolution)")
        }
        return ExitStatus.success
    }

    func descartar() throws -> Int32 {
        let text = try parsed.positionals(exactly: 1, names: "the number of the refused change")[0]
        guard let id = Int64(text.hasPrefix("#") ? String(text.dropFirst()) : text) else {
            throw UsageError("'\(text)' is not a change number.")
        }
        guard try replica.dismissRejection(id) else { throw CommandFailure("There is no refused change #\(id) to dismiss.") }
        print("Dismissed #\(id).")
        return ExitStatus.success
    }

    // MARK: Actions

    func mutate() throws -> Int32 {
        let positionals = try parsed.positionals(exactly: 2, names: "the mutation name and its JSON arguments")
        let arguments: JSONValue
        do {
            arguments = try JSONParser.parse(positionals[1])
        } catch {
            throw UsageError("The arguments are not valid JSON: \(error.description).")
        }
        guard case .object(let object) = arguments else { throw UsageError("The arguments must be a JSON object.") }
        return try perform(positionals[0], object)
    }

    func perform(_ name: String, _ numeroCredito: String) throws -> Int32 {
        try perform(name, ["numeroCredito": .string(numeroCredito)])
    }

    func perform(_ name: String, _ arguments: JSONObject) throws -> Int32 {
        do {
            let id = try replica.perform(name, arguments)
            CrashPoints.fromEnvironment().reached("after-local-write")
            let offline = replica.registry.definition(named: name)?.worksOffline ?? true
            print(
                "Recorded #\(id) \(name); it will be sent at the next sync"
                    + (offline ? "." : " and takes effect when the server accepts it.")
            )
            return ExitStatus.success
        } catch let rejection as MutationRejection {
            throw CommandFailure("Refused (\(rejection.code)): \(rejection.message)")
        } catch let error as ReplicaError {
            throw CommandFailure(error.description)
        }
    }

    func contacto() throws -> Int32 {
        var arguments: JSONObject = ["numeroCredito": .string(try credito())]
        for (option, field) in [("fijo", "telefonoFijo"), ("celular", "telefonoCelular"), ("correo", "correoElectronico")] {
            if let value = parsed.values[option] { arguments[field] = .string(value) }
        }
        guard arguments.count > 1 else { throw UsageError("Give at least one of --fijo, --celular, --correo.") }
        return try perform(RegistrarDatosContacto.name, arguments)
    }

    func registrarMediador() throws -> Int32 {
        _ = try parsed.positionals(exactly: 0, names: "")
        var arguments: JSONObject = [
            "usuario": .string(try parsed.required("usuario")), "nombre": .string(try parsed.required("nombre")),
            "numeroLicencia": .string(try parsed.required("licencia")), "certificado": .bool(parsed.values["certificado"] != nil),
        ]
        if let certificado = parsed.values["certificado"] { arguments["numeroCertificado"] = .string(certificado) }
        return try perform(RegistrarMediador.name, arguments)
    }

    func agendar() throws -> Int32 {
        let numero = try credito()
        let text = try parsed.required("fecha-hora")
        guard let fecha = Show.parseLocalTime(text) else {
            throw UsageError("'--fecha-hora' must look like '2026-12-03 11:00' (Mexico City time).")
        }
        let medio = try parsed.required("medio")
        guard MedioConvocatoria(rawValue: medio) != nil else {
            throw UsageError("'--medio' must be \(MedioConvocatoria.catalogueList).")
        }
        return try perform(
            AgendarSesion.name,
            ["numeroCredito": .string(numero), "fechaHora": .string(RFC3339.string(from: fecha)), "medioConvocatoria": .string(medio)]
        )
    }
}

/// Formatting for people.
enum Show {
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    static func state(_ raw: String) -> String {
        switch SyncState(rawValue: raw) {
        case .synced: "sincronizado"
        case .pending: "pendiente"
        case .rejected: "rechazado"
        case .inConflict: "en conflicto"
        case nil: raw
        }
    }

    static func value(_ value: JSONValue) -> String {
        if case .string(let text) = value {
            if let date = RFC3339.date(from: text) { return time(date) }
            return text
        }
        if case .null = value { return "-" }
        return value.description
    }

    /// Mexico City local time: `2026-12-03 11:00`.
    static func time(_ date: Date) -> String {
        let c = CalendarioMX.calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    /// `2026-12-03 11:00` or `2026-12-03T11:00` in Mexico City, or RFC 3339 with an offset.
    static func parseLocalTime(_ text: String) -> Date? {
        if let date = RFC3339.date(from: text) { return date }
        let normalized = text.replacingOccurrences(of: "T", with: " ")
        let parts = normalized.split(separator: " ")
        guard parts.count == 2, let fecha = FechaCivil(String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":")
        guard clock.count == 2, let hour = Int(clock[0]), let minute = Int(clock[1]), (0...23).contains(hour),
            (0...59).contains(minute)
        else { return nil }
        return CalendarioMX.inicio(fecha).addingTimeInterval(Double(hour * 3600 + minute * 60))
    }
}

/// Crash the CLI at a point of a sync, for the crash tests: GESTION_FAULT=crash-at:<point> with
/// `after-local-write`, `before-push`, `after-push` or `after-first-page`.
struct CrashPoints: Sendable {
    var point: String?

    static func fromEnvironment() -> CrashPoints {
        guard let spec = ProcessInfo.processInfo.environment["GESTION_FAULT"], spec.hasPrefix("crash-at:") else {
            return CrashPoints(point: nil)
        }
        return CrashPoints(point: String(spec.dropFirst("crash-at:".count)))
    }

    func reached(_ progress: SyncProgress) {
        switch progress {
        case .pushing: reached("before-push")
        case .pushed: reached("after-push")
        case .pulled: reached("after-first-page")
        }
    }

    func reached(_ name: String) {
        if name == point { kill(getpid(), SIGKILL) }
    }
}
