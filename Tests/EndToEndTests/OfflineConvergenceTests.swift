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
            directory: directory, users: ["asesor.uno": "asesor", "mediador.uno": "mediador"], accountsCSV: Cuentas.csv(4)
        )
        let asesor = DeviceCLI(directory, "telefono-asesor", user: "asesor.uno")
        let mediador = DeviceCLI(directory, "laptop-mediador", user: "mediador.uno")
        try asesor.login(server)
        try mediador.login(server)
        try asesor.ok(["sync"])

        // Day 1, online: the borrower of account 1 accepts; the mediator's laptop learns of it.
        try asesor.ok(["aceptar", Cuentas.credito(1)])
        try asesor.ok(["sync"])
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

        let serverRecords = try Tables.serverRecords(server)
        let asesorRecords = try Tables.records(ofFile: asesor.replica)
        let mediadorRecords = try Tables.records(ofFile: mediador.replica)
        #expect(serverRecords.count == 4 + 3 + 1 + 1)  // accounts, cases, contact, session
        #expect(asesorRecords == serverRecords)
        #expect(mediadorRecords == serverRecords)

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
