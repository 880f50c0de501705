import Foundation
import SyncCore
import Testing

extension PlazosEndToEnd {
    /// `gestion-server admin settings`: the plazos with their values in days, and changing one, which
    /// is audited and reaches the devices at their next sync.
    @Suite(.serialized) struct SettingsTests {
        @Test func theTableShowsEveryPlazoWithItsDefaultRangeAndMeaningAndTheServerFlags() throws {
            let directory = TemporaryDirectory("ajustes-tabla")
            let server = try TestServer(directory: directory, users: ["gerencia.uno": "mediacion", "operacion.uno": "operacion"])
            server.stop()
            let tabla = try server.admin(["settings"], as: "operacion.uno").stdout
            #expect(tabla.contains("PLAZOS"))
            let fila = try #require(tabla.split(separator: "\n").first { $0.hasPrefix("diaCierreSinRegistro ") })
            let columnas = fila.split(separator: " ", omittingEmptySubsequences: true)
            #expect(columnas[1] == "32" && columnas[2] == "32" && columnas[3] == "1–365", "\(fila)")
            #expect(fila.contains("automatic closure"))
            #expect(fila.contains("“Sesión no agendada”"))
            #expect(tabla.contains("«Si llegado el día 32, el mediador no ha registrado"), "the procedure's own words")
            #expect(tabla.contains("SERVER FLAGS"))
            #expect(tabla.contains("--max-offline-days"))
            #expect(tabla.contains("--token-lifetime"))

            let json = try JSONParser.parse(try server.admin(["settings", "--json"], as: "gerencia.uno").stdout)
            let plazos = try #require(json["plazos"]?.arrayValue)
            #expect(plazos.count == 18)
            let ajustes = Dictionary(uniqueKeysWithValues: plazos.map { ($0["nombre"]?.stringValue ?? "", $0) })
            #expect(ajustes["diaCierreSinRegistro"]?["dias"] == 32)
            #expect(ajustes["diaCierreSinSesion"]?["dias"] == 91)
            #expect(ajustes["diasPrimerContacto"]?["dias"] == 1)
            #expect(ajustes["diasPrimerContacto"]?["uso"] == "alerta")
            #expect(ajustes["diaLimiteReporteANEC"]?["maximo"] == 28)
            #expect(ajustes["diasEnvioConvenioDR"]?["procedimiento"] == "se deberá realizar el mismo día de la firma del convenio")
            #expect(json["servidor"]?[0]?["flag"] == "--max-offline-days")
            #expect(json["servidor"]?[0]?["dias"] == 30)
            #expect(json["servidor"]?[1]?["dias"] == 14)
        }

        @Test func aChangeIsAuditedWithItsOldAndNewValueAndReachesTheDevicesAtTheirNextSync() throws {
            let oficina = try OficinaSimulada("ajustes-cambio", cuentas: 1, mediadores: ["mediador.uno"], desde: "2031-06-02T08:00:00-06:00")
            try oficina.reloj("2031-06-02T10:00:00-06:00")
            try oficina.aceptar(1)
            try oficina.distribuir(1, a: "mediador.uno")
            let laptop = oficina.mediadores["mediador.uno"]!
            let credito = Cuentas.credito(1)
            try oficina.mutate(laptop, "registrarContacto", ["numeroCredito": .string(credito), "exitoso": false])
            try laptop.ok(["sync"])
            func siguiente() throws -> JSONValue? {
                try JSONParser.parse(try laptop.ok(["caso", credito, "--json"]).stdout)["siguienteVencimiento"]
            }
            // Accepted 2 Jun: day 31 is 2 Jul.
            #expect(try siguiente()?["fechaLimite"] == "2031-07-02")

            let cambio = try oficina.server.admin(["settings", "set", "diaCierreSinRegistro", "40"], as: "gerencia.uno")
            #expect(cambio.stdout.contains("diaCierreSinRegistro: 32 -> 40 days"))
            #expect(try siguiente()?["fechaLimite"] == "2031-07-02", "the laptop has not synced yet")
            try laptop.ok(["sync"])
            // Day 39 is 10 Jul; the case closes on day 40, 11 Jul.
            #expect(try siguiente()?["fechaLimite"] == "2031-07-10")
            let agenda = try JSONParser.parse(try laptop.ok(["agenda", "--json", "--dias", "40"]).stdout)
            #expect(agenda["proximos"]?[0]?["fechaCierre"] == "2031-07-11")
            #expect(try oficina.server.admin(["agenda", "--user", "mediador.uno", "--json", "--dias", "40"]).stdout
                == laptop.ok(["agenda", "--json", "--dias", "40"]).stdout)
            #expect(try oficina.server.admin(["settings"]).stdout.split(separator: "\n").contains {
                $0.hasPrefix("diaCierreSinRegistro ") && $0.contains(" *40 ")
            })

            // The audit trail: the mutation by the operator, and the admin entry with both values.
            let auditoria = try oficina.server.admin(["audit", "export", "--from", "2031-06-02", "--to", "2031-06-02"]).stdout
                .split(separator: "\n").map { try JSONParser.parse(String($0)) }
            let mutacion = try #require(auditoria.first { $0["action"] == "cambiarPlazo" })
            #expect(mutacion["actor"] == "gerencia.uno")
            #expect(mutacion["role"] == "mediacion")
            #expect(mutacion["outcome"] == "applied")
            #expect(mutacion["subjects"]?.arrayValue?.contains("ajustes/plazos") == true)
            let admin = try #require(auditoria.first { $0["action"] == "settings set" })
            #expect(admin["actor"] == "gerencia.uno")
            #expect(admin["outcome"] == "ok:diaCierreSinRegistro 32 -> 40")
            // The history keeps the old and the new value, attributed to the operator.
            let historial = try Tables.serverRecords(oficina.server).filter { $0[0] == "historial" && $0[2].contains("cambiarPlazo") }
            let entrada = try JSONParser.parse(try #require(historial.first)[2])
            #expect(entrada["usuario"] == "gerencia.uno")
            #expect(entrada["detalle"]?["anterior"] == "32")
            #expect(entrada["detalle"]?["nuevo"] == "40")

            // An administrator acts for the Gerencia: the mutation carries role mediacion, the admin entry its own role.
            try oficina.server.admin(["settings", "set", "diasPrimerContacto", "2"])
            let otra = try oficina.server.admin(["audit", "export", "--from", "2031-06-02", "--to", "2031-06-02"]).stdout
                .split(separator: "\n").map { try JSONParser.parse(String($0)) }
            #expect(otra.contains { $0["action"] == "cambiarPlazo" && $0["actor"] == .string(TestServer.administrator) && $0["role"] == "mediacion" })
            #expect(otra.contains { $0["action"] == "settings set" && $0["role"] == "admin" && $0["outcome"] == "ok:diasPrimerContacto 1 -> 2" })
            oficina.server.stop()
        }

        @Test func wrongNamesNumbersRangesAndIncoherentPlazosAreRefusedClearly() throws {
            let directory = TemporaryDirectory("ajustes-errores")
            let server = try TestServer(directory: directory, users: ["gerencia.uno": "mediacion", "operacion.uno": "operacion"])
            server.stop()
            func set(_ arguments: [String], as user: String = "gerencia.uno") throws -> ProcessResult {
                try server.admin(["settings", "set"] + arguments, expectSuccess: false, as: user)
            }
            let desconocido = try set(["diasParaLaSesion", "90"])
            #expect(desconocido.status == 64)
            #expect(desconocido.stderr.contains("Unknown setting 'diasParaLaSesion'. Settings: diasAprobacionAgencia, diasPrimerContacto"))
            let texto = try set(["diasParaSesion", "noventa"])
            #expect(texto.status == 64)
            #expect(texto.stderr.contains("'noventa' is not a whole number of days"))
            let rango = try set(["diaLimiteReporteANEC", "31"])
            #expect(rango.status == 64)
            #expect(rango.stderr.contains("diaLimiteReporteANEC must be between 1 and 28 days"))
            let incoherente = try set(["diaCierreSinRegistro", "20"])
            #expect(incoherente.status == 1)
            #expect(incoherente.stderr.contains("must come after the 30 days of diasIntentoAgenda"), "\(incoherente.stderr)")
            let bandera = try set(["max-offline-days", "10"])
            #expect(bandera.status == 64)
            #expect(bandera.stderr.contains("flag of 'gestion-server serve'"))
            let incompleto = try set(["diasParaSesion"])
            #expect(incompleto.status == 64)
            let operacion = try set(["diasParaSesion", "80"], as: "operacion.uno")
            #expect(operacion.stderr.contains("may not run 'settings set'"))
            let igual = try set(["diaCierreSinSesion", "91"])
            #expect(igual.status == 0)
            #expect(igual.stdout.contains("already 91 days"))
            // Nothing changed, and nothing but refusals reached the audit trail.
            let json = try JSONParser.parse(try server.admin(["settings", "--json"]).stdout)
            #expect(json["plazos"]?.arrayValue?.allSatisfy { $0["dias"] == $0["predeterminado"] } == true)
            let auditoria = try server.admin(["audit", "export"]).stdout
            #expect(!auditoria.contains("\"action\":\"cambiarPlazo\""))
        }
    }
}
