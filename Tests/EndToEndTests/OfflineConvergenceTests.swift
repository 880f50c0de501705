import Foundation
import GestionClient
import Mediacion
import SyncCore
import Testing

/// Issue 2, end-to-end case 1: an asesor's phone and a mediator's laptop record their work while
/// offline; after both sync, both replicas and the server hold identical records.
@Suite(.serialized) struct OfflineConvergenceTests {
    @Test func asesorAndMediadorWorkOfflineThenAgreeWithTheServer() throws {
        let directory = TemporaryDirectory("offline")
        let server = try TestServer(
            directory: directory, users: ["asesor.uno": "asesor", "mediador.uno": "mediador", "agencia.uno": "agencia"],
            accountsCSV: Cuentas.csv(4)
        )
        let asesor = DeviceCLI(directory, "telefono-asesor", user: "asesor.uno")
        let mediador = DeviceCLI(directory, "laptop-mediador", user: "mediador.uno")
        let agencia = DeviceCLI(directory, "oficina-agencia", user: "agencia.uno")
        for device in [asesor, mediador, agencia] { try device.login(server) }
        try asesor.ok(["sync"])

        // Day 1, online: the borrower of account 1 accepts; the agency approves and distributes
        // the case to the mediator, whose laptop learns of it.
        try asesor.ok(["aceptar", Cuentas.credito(1)])
        try asesor.ok(["sync"])
        try agencia.ok(["registrar-mediador", "--usuario", "mediador.uno", "--nombre", "Mediador Ficticio", "--licencia", "LIC-7"])
        try agencia.ok(["sync"])
        try agencia.ok(["aprobar", Cuentas.credito(1)])
        try agencia.ok(["distribuir", Cuentas.credito(1), "--mediador", "mediador.uno"])
        try agencia.ok(["sync"])
        try mediador.ok(["sync"])

        // The network goes away.
        server.stop()
        try asesor.ok(["aceptar", Cuentas.credito(2)])
        try asesor.ok(["aviso-privacidad", Cuentas.credito(2)])
        try asesor.ok(["contacto", Cuentas.credito(2), "--celular", "5512345678", "--correo", "persona.ficticia@example.com"])
        try asesor.ok(["no-acepta", Cuentas.credito(3)])
        try mediador.ok(["agendar", Cuentas.credito(1), "--fecha-hora", Self.inTenDays(), "--medio", "Whatsapp"])

        // Offline, a sync fails but keeps everything queued.
        let offline = try asesor.run(["sync", "--retries", "0"])
        #expect(offline.status == 1)
        #expect(offline.stderr.contains("No connection to the server"))
        let pending = try asesor.ok(["status", "--json"])
        #expect(pending.stdout.contains("\"pendingCount\":4"))

        // The network comes back; both sync, then once more to see each other's work.
        try server.start()
        try asesor.ok(["sync"])
        try mediador.ok(["sync"])
        try asesor.ok(["sync"])

        try agencia.ok(["sync"])
        let serverRecords = try Tables.serverRecords(server)
        let count = { (collection: String) -> Int in serverRecords.filter { $0[0] == collection }.count }
        let counts: [Int] = [count("cuentas"), count("casos"), count("contactos"), count("sesiones")]
        #expect(counts == [4, 3, 1, 1])
        // Every action on a case is in its history: two acceptances, a refusal, the approval,
        // the distribution and the session.
        #expect(count("historial") == 6)
        for device in [asesor, mediador, agencia] {
            #expect(try Tables.records(ofFile: device.replica) == Tables.serverRecords(server, visibleTo: device.user))
        }

        let caso = try mediador.ok(["caso", Cuentas.credito(1), "--json"])
        #expect(caso.stdout.contains("\"estatus\":\"Sesión agendada\""))
        #expect(caso.stdout.contains("\"syncState\":\"synced\""))
        let casos = try asesor.ok(["casos"])
        #expect(casos.stdout.contains("Mediación no aceptada"))
        #expect(server.stop() == 0)
    }

    /// Ten days from now at 11:00, Mexico City time, as the CLI takes it.
    static func inTenDays() -> String {
        let fecha = CalendarioMX.fecha(Date()).adding(days: 10)
        return "\(fecha) 11:00"
    }
}
