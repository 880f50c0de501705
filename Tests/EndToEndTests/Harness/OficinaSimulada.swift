import Foundation
import SyncCore
import Testing

/// A mediation office on a simulated calendar: the real server and real device CLIs (an asesor's
/// phone, the agency's office, a delegación, operations and one laptop per mediator), all on the
/// server's clock, which the test sets to chosen Mexico City instants. The server's hourly sweep
/// is off unless asked for: the tests sweep at the instants they choose.
final class OficinaSimulada {
    let directory: TemporaryDirectory
    let server: TestServer
    let asesor: DeviceCLI
    let agencia: DeviceCLI
    let delegacion: DeviceCLI
    let operacion: DeviceCLI
    let mediadores: [String: DeviceCLI]
    /// The `serve` options of this office.
    let argumentosServidor: [String]

    /// Every device.
    var dispositivos: [DeviceCLI] { [asesor, agencia, delegacion, operacion] + mediadores.keys.sorted().map { mediadores[$0]! } }

    /// Creates the office with accounts 1...`cuentas` (imported before the simulated calendar
    /// starts), sets the clock to `inicio` (RFC 3339, e.g. `2031-01-20T09:00:00-06:00`), starts the
    /// server and signs every device in; the agency registers the mediators and representative REP-1.
    init(
        _ label: String, cuentas: Int, mediadores nombres: [String], desde inicio: String,
        sweepInterval: Int = 0
    ) throws {
        directory = TemporaryDirectory(label)
        var users = [
            "asesor.uno": "asesor", "agencia.uno": "agencia", "dr.uno": "delegacion", "operacion.uno": "operacion",
            "gerencia.uno": "mediacion",
        ]
        for nombre in nombres { users[nombre] = "mediador" }
        server = try TestServer(directory: directory, users: users, accountsCSV: Cuentas.csv(cuentas))
        server.stop()
        let clock = server.clockFile
        asesor = DeviceCLI(directory, "telefono-asesor", user: "asesor.uno", clockFile: clock)
        agencia = DeviceCLI(directory, "oficina-agencia", user: "agencia.uno", clockFile: clock)
        delegacion = DeviceCLI(directory, "oficina-dr", user: "dr.uno", clockFile: clock)
        operacion = DeviceCLI(directory, "oficina-operacion", user: "operacion.uno", clockFile: clock)
        var laptops: [String: DeviceCLI] = [:]
        for nombre in nombres { laptops[nombre] = DeviceCLI(directory, "laptop-\(nombre)", user: nombre, clockFile: clock) }
        mediadores = laptops
        // Months pass on this calendar: logins last 300 days and devices never lock.
        argumentosServidor = [
            "--sweep-interval", String(sweepInterval), "--max-offline-days", "3650", "--token-lifetime", String(300 * 86_400),
        ]
        try reloj(inicio)
        try server.start(extraArguments: argumentosServidor)
        for device in dispositivos {
            try device.login(server)
            try device.ok(["sync"])
        }
        for (n, nombre) in nombres.enumerated() {
            try agencia.ok(["registrar-mediador", "--usuario", nombre, "--nombre", "Mediador Ficticio \(n + 1)", "--licencia", "LIC-\(n + 1)"])
        }
        try mutate(agencia, "registrarRepresentante", ["clave": "REP-1", "nombre": "Representante Ficticio", "poderesLegales": true])
        try agencia.ok(["sync"])
    }

    /// Stops the server and starts it again with the same options (its scheduled sweep runs 5 s
    /// after the start).
    func reiniciar() throws {
        server.stop()
        try server.start(extraArguments: argumentosServidor)
    }

    /// Sets the shared clock to `instante` (RFC 3339 with its offset, e.g. `2031-01-31T23:30:00-06:00`).
    func reloj(_ instante: String) throws {
        guard let date = RFC3339.date(from: instante) else { throw TestFailure("not an RFC 3339 instant: \(instante)") }
        try String(date.timeIntervalSinceNow).write(to: server.clockFile, atomically: true, encoding: .utf8)
    }

    @discardableResult
    func mutate(_ device: DeviceCLI, _ name: String, _ arguments: JSONObject, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> ProcessResult
    {
        try device.ok(["mutate", name, JSONSerializer.string(.object(arguments))], sourceLocation: sourceLocation)
    }

    /// The borrower of account `n` accepts on the asesor's phone, which syncs.
    func aceptar(_ n: Int) throws {
        try asesor.ok(["aceptar", Cuentas.credito(n)])
        try asesor.ok(["sync"])
    }

    /// The agency approves account `n`, distributes it to `mediador` and designates REP-1; the
    /// agency and that mediator's laptop sync.
    func distribuir(_ n: Int, a mediador: String) throws {
        let credito = Cuentas.credito(n)
        try agencia.ok(["sync"])
        try agencia.ok(["aprobar", credito])
        try agencia.ok(["distribuir", credito, "--mediador", mediador])
        try mutate(agencia, "designarRepresentante", ["numeroCredito": .string(credito), "representante": "REP-1"])
        try agencia.ok(["sync"])
        try mediadores[mediador]!.ok(["sync"])
    }

    /// The mediator schedules account `n`'s session at `fechaHora` (Mexico City, `2031-02-10 11:00`).
    func agendar(_ n: Int, _ mediador: String, _ fechaHora: String, sincronizar: Bool = true) throws {
        try mediadores[mediador]!.ok(["agendar", Cuentas.credito(n), "--fecha-hora", fechaHora, "--medio", "Whatsapp"])
        if sincronizar { try mediadores[mediador]!.ok(["sync"]) }
    }

    /// `gestion-server admin sweep` now; its standard output.
    @discardableResult
    func sweep(_ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try server.admin(["sweep"] + extra)
        #expect(result.status == 0, "sweep failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    private var barridos: [String: String] = [:]

    /// The sweep at `instante` (the clock already set there): run once, its output kept, so that
    /// several checks at the same instant see the same sweep.
    func barrer(en instante: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        if let salida = barridos[instante] { return salida }
        let salida = try sweep(sourceLocation: sourceLocation)
        barridos[instante] = salida
        return salida
    }

    /// The server's case of account `n` (round 1).
    func caso(_ n: Int) throws -> JSONObject? {
        let id = "\(Cuentas.credito(n))-1"
        guard let row = try Tables.serverRecords(server).first(where: { $0[0] == "casos" && $0[1] == id }) else { return nil }
        return try JSONParser.parse(row[2]).objectValue
    }

    func estatus(_ n: Int) throws -> String? { try caso(n)?["estatus"]?.stringValue }

    /// The audit entries about account `n` on Mexico City day `dia` (`admin audit export`).
    func auditoria(_ n: Int, dia: String) throws -> [JSONValue] {
        let result = try server.admin(["audit", "export", "--case", Cuentas.credito(n), "--from", dia, "--to", dia])
        return try result.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }
}
