import Foundation
import SyncCore
import Testing

extension PlazosEndToEnd {
    /// Agendas: each role's list, computed offline on the device (`gestion agenda`) and on the server
    /// from the user's scope (`gestion-server admin agenda --user`), compared byte for byte.
    @Suite(.serialized) struct AgendaEndToEndTests {
        static let usuarios = ["asesor.uno", "agencia.uno", "mediador.uno", "mediador.dos", "dr.uno", "operacion.uno"]

        /// On 2031-06-05 (Mexico City): account 1 accepted on 2 Jun and not approved; 2 and 3
        /// distributed on 2 Jun to two mediators, no contact; 4 never asked; 5 accepted on 5 Jun; 6's
        /// convenio signed and sent to the DR on 3 Jun.
        static func oficina() throws -> OficinaSimulada {
            let oficina = try OficinaSimulada(
                "agenda", cuentas: 6, mediadores: ["mediador.uno", "mediador.dos"], desde: "2031-06-02T08:00:00-06:00"
            )
            try oficina.reloj("2031-06-02T10:00:00-06:00")
            for n in [1, 2, 3, 6] { try oficina.aceptar(n) }
            try oficina.distribuir(2, a: "mediador.uno")
            try oficina.distribuir(3, a: "mediador.dos")
            try oficina.distribuir(6, a: "mediador.uno")
            try oficina.agendar(6, "mediador.uno", "2031-06-03 11:00")
            try oficina.reloj("2031-06-03T12:00:00-06:00")
            let laptop = oficina.mediadores["mediador.uno"]!
            let credito6 = Cuentas.credito(6)
            try oficina.mutate(
                laptop, "registrarSesionCelebrada",
                [
                    "numeroCredito": .string(credito6), "identificacionAcreditado": "Pasaporte", "asistioRepresentante": true,
                    "verificacion": .object(Dictionary(uniqueKeysWithValues: Escenario.puntosDeVerificacion.map { ($0, JSONValue.bool(true)) })),
                ]
            )
            try oficina.mutate(
                laptop, "firmarConvenio",
                [
                    "numeroCredito": .string(credito6), "tipoConvenio": "Administrativo", "solucion": "Reestructura de pagos",
                    "montoPago": 2500, "fechaLimitePrimerPago": "2031-07-03", "factorPago": 0.3, "firmadoPorAcreditado": true,
                    "firmadoPorRepresentante": true, "firmadoPorMediador": true, "originales": 3, "acuseRecibo": true,
                ]
            )
            try oficina.mutate(laptop, "enviarConvenioDR", ["numeroCredito": .string(credito6)])
            try laptop.ok(["sync"])
            try oficina.reloj("2031-06-05T09:00:00-06:00")
            try oficina.aceptar(5)
            for device in oficina.dispositivos { try device.ok(["sync"]) }
            return oficina
        }

        static func agendaDelDispositivo(_ oficina: OficinaSimulada, _ usuario: String, _ extra: [String] = []) throws -> String {
            let device = oficina.dispositivos.first { $0.user == usuario }!
            return try device.ok(["agenda"] + extra).stdout
        }

        static func agendaDelServidor(_ oficina: OficinaSimulada, _ usuario: String, _ extra: [String] = []) throws -> String {
            let result = try oficina.server.admin(["agenda", "--user", usuario] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }

        @Test func theDeviceOfflineAndTheServerGiveTheSameListsForEveryRole() throws {
            let oficina = try Self.oficina()
            var vistas: [String: JSONValue] = [:]
            for usuario in Self.usuarios {
                for extra in [["--json"], ["--json", "--dias", "30"], []] {
                    let dispositivo = try Self.agendaDelDispositivo(oficina, usuario, extra)
                    let servidor = try Self.agendaDelServidor(oficina, usuario, extra)
                    #expect(dispositivo == servidor, "\(usuario) \(extra): device\n\(dispositivo)\nserver\n\(servidor)")
                }
                #expect(
                    try Self.agendaDelServidor(oficina, usuario, ["--json", "--as-of", "2031-06-05"])
                        == Self.agendaDelDispositivo(oficina, usuario, ["--json"])
                )
                vistas[usuario] = try JSONParser.parse(try Self.agendaDelDispositivo(oficina, usuario, ["--json"]))
            }

            // What each role sees (credit numbers: 1000000001...).
            func creditos(_ usuario: String, _ lista: String) -> [String] {
                vistas[usuario]?[lista]?.arrayValue?.compactMap { $0["numeroCredito"]?.stringValue } ?? []
            }
            func plazos(_ usuario: String, _ lista: String) -> [String] {
                vistas[usuario]?[lista]?.arrayValue?.compactMap { $0["plazo"]?.stringValue } ?? []
            }
            #expect(creditos("asesor.uno", "porVisitar") == [Cuentas.credito(4)])
            #expect(creditos("asesor.uno", "vencidos").isEmpty)
            #expect(creditos("agencia.uno", "vencidos") == [Cuentas.credito(1)])
            #expect(creditos("agencia.uno", "proximos") == [Cuentas.credito(5)], "accepted today: approved by tomorrow")
            #expect(creditos("mediador.uno", "vencidos") == [Cuentas.credito(2)])
            #expect(plazos("mediador.uno", "vencidos") == ["diasPrimerContacto"])
            #expect(creditos("mediador.dos", "vencidos") == [Cuentas.credito(3)])
            #expect(creditos("dr.uno", "vencidos") == [Cuentas.credito(6)])
            #expect(plazos("dr.uno", "vencidos") == ["diasRevisionConvenioDR"])
            #expect(creditos("operacion.uno", "vencidos").sorted() == [1, 2, 3, 6].map(Cuentas.credito))
            #expect(vistas["mediador.uno"]?["fecha"] == "2031-06-05")
            #expect(vistas["mediador.uno"]?["vencidos"]?[0]?["diasRestantes"] == -2)
            #expect(vistas["mediador.uno"]?["vencidos"]?[0]?["responsable"] == "mediador")

            let texto = try Self.agendaDelDispositivo(oficina, "mediador.uno")
            #expect(texto.contains("VENCIDOS (1)"))
            #expect(texto.contains("2031-06-03 (2 day(s) late)  \(Cuentas.credito(2))-1"))
            #expect(!texto.contains("Persona Ficticia"), "no personal data")

            // Offline: the server is gone, the device still answers, the same way.
            oficina.server.stop()
            #expect(try Self.agendaDelDispositivo(oficina, "mediador.uno", ["--json"]) == JSONSerializer.string(vistas["mediador.uno"]!) + "\n")
        }

        @Test func theDevicesOwnPendingWorkCountsAndAWrongCommandLineIsExplained() throws {
            let oficina = try Self.oficina()
            let laptop = oficina.mediadores["mediador.uno"]!
            // Contact recorded offline: the overdue first contact leaves this device's agenda at once.
            try oficina.mutate(laptop, "registrarContacto", ["numeroCredito": .string(Cuentas.credito(2)), "exitoso": true])
            let texto = try laptop.ok(["agenda"]).stdout
            #expect(texto.contains("VENCIDOS (0)"))
            #expect(texto.contains("1 change(s) of this device not yet confirmed"))
            #expect(try Self.agendaDelServidor(oficina, "mediador.uno").contains("VENCIDOS (1)"), "the server does not know yet")
            try laptop.ok(["sync"])
            #expect(try Self.agendaDelServidor(oficina, "mediador.uno") == laptop.ok(["agenda"]).stdout)

            let sinNumero = try laptop.run(["agenda", "--dias", "pronto"])
            #expect(sinNumero.status == 64)
            #expect(sinNumero.stderr.contains("'--dias' must be a whole number"))
            let nadie = try oficina.server.admin(["agenda", "--user", "nadie.existe"], expectSuccess: false)
            #expect(nadie.status == 1)
            #expect(nadie.stderr.contains("There is no user 'nadie.existe'"))
            let fecha = try oficina.server.admin(["agenda", "--user", "mediador.uno", "--as-of", "2031-02-30"], expectSuccess: false)
            #expect(fecha.status == 64)
            let sinSesion = try DeviceCLI(oficina.directory, "sin-sesion", user: "mediador.uno").run(["agenda"])
            #expect(sinSesion.status == 1)
            #expect(sinSesion.stderr.contains("Not signed in"))
            oficina.server.stop()
        }
    }
}
