import Foundation
import SyncCore
import Testing

/// A whole office for the hard cases of DOMAIN.md §8: the real server, and on the same (movable)
/// clock an asesor's phone, the agency's office, two mediators' laptops (one mediator with a
/// second device), operations and the Gerencia de Mediación y Convenios.
struct Escenario {
    let directory: TemporaryDirectory
    let server: TestServer
    let asesor: DeviceCLI
    let agencia: DeviceCLI
    let mediador: DeviceCLI
    /// A second device of the same mediator.
    let mediadorTableta: DeviceCLI
    let otroMediador: DeviceCLI
    let operacion: DeviceCLI
    let gerencia: DeviceCLI

    var todos: [DeviceCLI] { [asesor, agencia, mediador, mediadorTableta, otroMediador, operacion, gerencia] }

    init(_ label: String, cuentas: Int = 3) throws {
        directory = TemporaryDirectory(label)
        server = try TestServer(
            directory: directory,
            users: [
                "asesor.uno": "asesor", "agencia.uno": "agencia", "mediador.uno": "mediador", "mediador.dos": "mediador",
                "operacion.uno": "operacion", "gerencia.uno": "mediacion",
            ],
            accountsCSV: Cuentas.csv(cuentas)
        )
        // Time moves by weeks here while most devices sync now and then: no offline lock.
        server.stop()
        try server.start(extraArguments: ["--max-offline-days", "365"])
        let clock = server.clockFile
        asesor = DeviceCLI(directory, "telefono-asesor", user: "asesor.uno", clockFile: clock)
        agencia = DeviceCLI(directory, "oficina-agencia", user: "agencia.uno", clockFile: clock)
        mediador = DeviceCLI(directory, "laptop-mediador", user: "mediador.uno", clockFile: clock)
        mediadorTableta = DeviceCLI(directory, "tableta-mediador", user: "mediador.uno", clockFile: clock)
        otroMediador = DeviceCLI(directory, "laptop-otro-mediador", user: "mediador.dos", clockFile: clock)
        operacion = DeviceCLI(directory, "oficina-operacion", user: "operacion.uno", clockFile: clock)
        gerencia = DeviceCLI(directory, "oficina-gerencia", user: "gerencia.uno", clockFile: clock)
        for device in todos {
            try device.login(server)
            try device.ok(["sync"])
        }
        try agencia.ok(["registrar-mediador", "--usuario", "mediador.uno", "--nombre", "Mediador Ficticio Uno", "--licencia", "LIC-1"])
        try agencia.ok(["registrar-mediador", "--usuario", "mediador.dos", "--nombre", "Mediador Ficticio Dos", "--licencia", "LIC-2"])
        try mutate(agencia, "registrarRepresentante", ["clave": "REP-1", "nombre": "Representante Ficticio", "poderesLegales": true])
        try agencia.ok(["sync"])
    }

    /// Moves everyone's clock (server and devices) `days` forward.
    func avanzar(dias: Double) throws {
        try server.advanceClock(by: dias * 86_400)
    }

    @discardableResult
    func mutate(_ device: DeviceCLI, _ name: String, _ arguments: JSONObject, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> ProcessResult
    {
        try device.ok(["mutate", name, JSONSerializer.string(.object(arguments))], sourceLocation: sourceLocation)
    }

    /// The borrower accepts; the agency approves, designates the representative and distributes
    /// to `mediador.uno`; every device syncs.
    func casoDistribuido(_ n: Int) throws {
        let credito = Cuentas.credito(n)
        try asesor.ok(["aceptar", credito])
        try asesor.ok(["sync"])
        try agencia.ok(["sync"])
        try agencia.ok(["aprobar", credito])
        try agencia.ok(["distribuir", credito, "--mediador", "mediador.uno"])
        try mutate(agencia, "designarRepresentante", ["numeroCredito": .string(credito), "representante": "REP-1"])
        try sincronizarTodos()
    }

    /// The distributed case gets a session tomorrow, which is held.
    func sesionCelebrada(_ n: Int) throws {
        let credito = Cuentas.credito(n)
        try mediador.ok(["agendar", credito, "--fecha-hora", try fechaHora(enDias: 1), "--medio", "Whatsapp"])
        try mediador.ok(["sync"])
        try avanzar(dias: 1)
        try mutate(
            mediador, "registrarSesionCelebrada",
            [
                "numeroCredito": .string(credito), "identificacionAcreditado": "Credencial para Votar", "asistioRepresentante": true,
                "verificacion": .object(Dictionary(uniqueKeysWithValues: Self.puntosDeVerificacion.map { ($0, JSONValue.bool(true)) })),
            ]
        )
        try sincronizarTodos()
    }

    static let puntosDeVerificacion = [
        "mediadorIdentificado", "avisoPrivacidad", "identidadAcreditada", "capacidadJuridica", "reglasComunicadas",
        "convenioConfidencialidad", "narracionConflicto", "alternativasPresentadas", "acuerdosConstruidos", "convenioCelebrado",
    ]

    func sincronizarTodos() throws {
        for device in todos { try device.ok(["sync"]) }
    }

    /// `YYYY-MM-DD 11:00` in Mexico City, `days` after the clock's today.
    func fechaHora(enDias days: Int) throws -> String {
        let offset = Double(try String(contentsOf: server.clockFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let today = Date().addingTimeInterval(offset)
        let fecha = CalendarioFixture.fecha(today, plus: days)
        return "\(fecha) 11:00"
    }

    /// A device's view of a case (`gestion caso --json`).
    func caso(_ device: DeviceCLI, _ n: Int) throws -> JSONValue {
        try JSONParser.parse(try device.ok(["caso", Cuentas.credito(n), "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The server's record of `collection/id`.
    func servidor(_ collection: String, _ id: String) throws -> JSONObject? {
        guard let row = try Tables.serverRecords(server).first(where: { $0[0] == collection && $0[1] == id }) else { return nil }
        return try JSONParser.parse(row[2]).objectValue
    }

    /// Every device's records equal the server's (each sees everything until scopes, issue 4).
    func todosCoinciden(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try sincronizarTodos()  // everyone's work reaches the server…
        try sincronizarTodos()  // …and everyone receives everyone's
        for device in todos {
            let servidor = try Tables.serverRecords(server, visibleTo: device.user)
            let local = try Tables.records(ofFile: device.replica)
            let extra = Set(local.map { $0.joined(separator: " ") }).subtracting(servidor.map { $0.joined(separator: " ") })
            let missing = Set(servidor.map { $0.joined(separator: " ") }).subtracting(local.map { $0.joined(separator: " ") })
            #expect(
                local == servidor, "\(device.replica) differs: extra \(extra.sorted()), missing \(missing.sorted())",
                sourceLocation: sourceLocation
            )
        }
    }
}

enum CalendarioFixture {
    /// The Mexico City date of `instant` plus `days`, as `YYYY-MM-DD`.
    static func fecha(_ instant: Date, plus days: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Mexico_City")!
        let moved = calendar.date(byAdding: .day, value: days, to: instant)!
        let c = calendar.dateComponents([.year, .month, .day], from: moved)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
