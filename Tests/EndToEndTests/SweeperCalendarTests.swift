import Foundation
import SyncCore
import Testing

/// The end-to-end tests of the plazos (sweeper, agendas, settings) run one at a time: each drives
/// many processes through weeks of a simulated calendar, and the machine's cores are shared with
/// the timing-sensitive tests of the rest of the suite.
@Suite(.serialized) struct PlazosEndToEnd {}

extension PlazosEndToEnd {
    /// The deadline sweeper on a simulated calendar: the real server and devices, the clock set to
    /// chosen Mexico City instants, `gestion-server admin sweep` run just before and just after
    /// midnight. Each row gives the acceptance instant and the closure date worked out by hand
    /// (day 1 = the acceptance's Mexico City date; day 32 = + 31 days, day 91 = + 90 days), so the
    /// expectations do not come from the code under test.
    @Suite(.serialized) struct SweeperCalendarTests {
        /// One case: accepted at `aceptado` (Mexico City), expected closed on `cierre` by `regla`.
        struct Fila {
            var cuenta: Int
            var aceptado: String
            var cierre: String
            var regla: Regla
            /// For day 91: when the mediator schedules the first session, and for when (Mexico City).
            var agenda: (cuando: String, para: String)?
            var nota: String
        }

        enum Regla: String {
            case dia32 = "cerrarSinRegistro"
            case dia91 = "cerrarSinSesion"

            var texto: String { self == .dia32 ? "Sin registro de agenda" : "Sin sesión en el plazo" }
        }

        /// An action at an instant of the simulated calendar.
        struct Paso {
            var instante: String
            var accion: () throws -> Void
            var fecha: Date { RFC3339.date(from: instante)! }
        }

        /// Runs the steps in the order of their instants, each with the clock set to its instant.
        static func correr(_ oficina: OficinaSimulada, _ pasos: [Paso]) throws {
            for paso in pasos.enumerated().sorted(by: { ($0.element.fecha, $0.offset) < ($1.element.fecha, $1.offset) }).map(\.element) {
                try oficina.reloj(paso.instante)
                try paso.accion()
            }
        }

        /// The steps of one row: accept (and distribute to `mediador.uno`), schedule for day-91 rows,
        /// sweep at 23:55 the day before the closure (still open) and at 00:00:30 on the closure day
        /// (closed, by the right rule, in the audit trail of that day).
        static func pasos(_ fila: Fila, _ oficina: OficinaSimulada) -> [Paso] {
            let credito = Cuentas.credito(fila.cuenta)
            let abierto = fila.regla == .dia32 ? "Distribuido al mediador" : "Sesión agendada"
            // 23:55 the day before: five minutes of slack for a slow machine to start the sweep.
            let antesDeMedianoche = RFC3339.date(from: "\(fila.cierre)T00:00:00-06:00")!.addingTimeInterval(-5 * 60)
            let justoAntes = RFC3339.string(from: antesDeMedianoche)
            // The Mexico City date (UTC−6) of that instant: the day before the closure.
            let diaAnterior = String(RFC3339.string(from: antesDeMedianoche.addingTimeInterval(-6 * 3600)).prefix(10))
            var pasos = [
                Paso(instante: fila.aceptado) { () throws in
                    try oficina.aceptar(fila.cuenta)
                    try oficina.distribuir(fila.cuenta, a: "mediador.uno")
                },
                Paso(instante: justoAntes) { () throws in
                    _ = try oficina.barrer(en: justoAntes)
                    #expect(try oficina.estatus(fila.cuenta) == abierto, "\(fila.nota): closed before \(fila.cierre)")
                },
                Paso(instante: "\(fila.cierre)T00:00:30-06:00") {
                    let salida = try oficina.barrer(en: "\(fila.cierre)T00:00:30-06:00")
                    #expect(try oficina.estatus(fila.cuenta) == "Retirado automáticamente", "\(fila.nota): not closed on \(fila.cierre)")
                    #expect(salida.contains("\(credito)-1: \(fila.regla.rawValue)"), "\(fila.nota): \(salida)")
                    let caso = try #require(try oficina.caso(fila.cuenta))
                    #expect(caso["cierre"]?["regla"]?.stringValue == fila.regla.texto)
                    #expect(caso["cierre"]?["estatusAnterior"]?.stringValue == abierto)
                    // In the audit trail on the closure's Mexico City day, by the system; not the day before.
                    let auditoria = try oficina.auditoria(fila.cuenta, dia: fila.cierre)
                    let cierre = auditoria.first { $0["action"]?.stringValue == fila.regla.rawValue }
                    #expect(cierre?["actor"] == "sistema", "\(fila.nota): \(auditoria)")
                    #expect(cierre?["outcome"] == "applied")
                    #expect(cierre?["subjects"]?.arrayValue?.contains(.string("casos/\(credito)-1")) == true)
                    let antes = try oficina.auditoria(fila.cuenta, dia: diaAnterior)
                    #expect(!antes.contains { $0["action"]?.stringValue == fila.regla.rawValue }, "\(fila.nota): audited the day before")
                },
            ]
            if let agenda = fila.agenda {
                pasos.append(Paso(instante: agenda.cuando) { try oficina.agendar(fila.cuenta, "mediador.uno", agenda.para) })
            }
            return pasos
        }

        /// 2031 (February has 28 days): month ends, 23:30 and 00:30, both closures, and the undoing by
        /// timely actions recorded offline on a laptop that syncs after the closure.
        @Test func casesCloseOnTheirDayIn2031AndTimelyOfflineActionsReopenThem() throws {
            let oficina = try OficinaSimulada(
                "barrido-2031", cuentas: 8, mediadores: ["mediador.uno", "mediador.tres"], desde: "2031-01-20T08:00:00-06:00"
            )
            let filas = [
                Fila(cuenta: 1, aceptado: "2031-01-31T23:30:00-06:00", cierre: "2031-03-03", regla: .dia32, nota: "31 Jan 23:30 (1 Feb in UTC)"),
                Fila(cuenta: 2, aceptado: "2031-02-01T00:30:00-06:00", cierre: "2031-03-04", regla: .dia32, nota: "1 Feb 00:30, February of 28 days"),
                Fila(cuenta: 3, aceptado: "2031-03-31T12:00:00-06:00", cierre: "2031-05-01", regla: .dia32, nota: "end of a 31-day month"),
                Fila(cuenta: 4, aceptado: "2031-04-30T23:30:00-06:00", cierre: "2031-05-31", regla: .dia32, nota: "end of a 30-day month, 23:30"),
                Fila(
                    cuenta: 5, aceptado: "2031-01-31T23:40:00-06:00", cierre: "2031-05-01", regla: .dia91,
                    agenda: ("2031-02-02T10:00:00-06:00", "2031-02-10 11:00"), nota: "day 91 from 31 Jan 23:40"
                ),
            ]
            var pasos = filas.flatMap { Self.pasos($0, oficina) }
            let laptop = oficina.mediadores["mediador.tres"]!
            let credito6 = Cuentas.credito(6)
            let credito7 = Cuentas.credito(7)
            let credito8 = Cuentas.credito(8)
            pasos += [
                // Account 8: accepted 20 Jan; day 90 is 19 Apr, day 91 is 20 Apr; the session is set for 18 Apr.
                Paso(instante: "2031-01-20T10:00:00-06:00") { () throws in
                    try oficina.aceptar(8)
                    try oficina.distribuir(8, a: "mediador.tres")
                },
                Paso(instante: "2031-01-21T10:00:00-06:00") { try oficina.agendar(8, "mediador.tres", "2031-04-18 11:00") },
                // Accounts 6 and 7: accepted 10 Mar; day 31 is 9 Apr, day 32 is 10 Apr.
                Paso(instante: "2031-03-10T10:00:00-06:00") { () throws in
                    try oficina.aceptar(6)
                    try oficina.aceptar(7)
                    try oficina.distribuir(6, a: "mediador.tres")
                    try oficina.distribuir(7, a: "mediador.tres")
                },
                // Offline, ten minutes before midnight of day 31: counts.
                Paso(instante: "2031-04-09T23:50:00-06:00") { () throws in
                    try laptop.ok(["agendar", credito6, "--fecha-hora", "2031-04-20 11:00", "--medio", "Whatsapp"])
                },
                Paso(instante: "2031-04-10T00:00:30-06:00") { () throws in
                    let salida = try oficina.sweep()
                    #expect(salida.contains("\(credito6)-1: cerrarSinRegistro"))
                    #expect(salida.contains("\(credito7)-1: cerrarSinRegistro"))
                },
                // Offline, ten minutes after midnight: day 32, too late; the laptop itself refuses it.
                Paso(instante: "2031-04-10T00:10:00-06:00") { () throws in
                    let tarde = try laptop.run(["agendar", credito7, "--fecha-hora", "2031-04-20 12:00", "--medio", "Whatsapp"])
                    #expect(tarde.status == 1)
                    #expect(tarde.stderr.contains("fuera_de_plazo"), "\(tarde.stderr)")
                },
                // Two days later the laptop syncs: the timely session undoes the closure of account 6.
                Paso(instante: "2031-04-12T10:00:00-06:00") { () throws in
                    try laptop.ok(["sync"])
                    let caso6 = try #require(try oficina.caso(6))
                    #expect(caso6["estatus"] == "Sesión agendada")
                    #expect(caso6["cierresDeshechos"]?[0]?["deshecho"]?["accion"] == "agendarSesion")
                    #expect(caso6["cierresDeshechos"]?[0]?["deshecho"]?["ocurrido"]?.stringValue?.hasPrefix("2031-04-10T05:50") == true)
                    #expect(try oficina.estatus(7) == "Retirado automáticamente")
                    let historial = try Tables.serverRecords(oficina.server).filter { $0[0] == "historial" && $0[2].contains(credito6) }.map { $0[2] }
                    #expect(historial.contains { $0.contains("\"accion\":\"deshacerCierre\"") })
                    // The next sweep leaves it open: a session is scheduled.
                    let salida = try oficina.sweep()
                    #expect(!salida.contains("\(credito6)-1: cerrar"))
                    #expect(try oficina.estatus(6) == "Sesión agendada")
                    #expect(try laptop.ok(["caso", credito6, "--json"]).stdout.contains("\"estatus\":\"Sesión agendada\""))
                },
                // Account 8: session held and convenio signed offline on day 89; the laptop syncs on day 93.
                Paso(instante: "2031-04-18T18:00:00-06:00") { () throws in
                    try oficina.mutate(
                        laptop, "registrarSesionCelebrada",
                        [
                            "numeroCredito": .string(credito8), "identificacionAcreditado": "Credencial para Votar", "asistioRepresentante": true,
                            "verificacion": .object(Dictionary(uniqueKeysWithValues: Escenario.puntosDeVerificacion.map { ($0, JSONValue.bool(true)) })),
                        ]
                    )
                    try oficina.mutate(
                        laptop, "firmarConvenio",
                        [
                            "numeroCredito": .string(credito8), "tipoConvenio": "Administrativo", "solucion": "Reestructura de pagos",
                            "montoPago": 1500.5, "fechaLimitePrimerPago": "2031-05-18", "factorPago": 0.27, "firmadoPorAcreditado": true,
                            "firmadoPorRepresentante": true, "firmadoPorMediador": true, "originales": 3, "acuseRecibo": true,
                        ]
                    )
                },
                Paso(instante: "2031-04-19T23:55:00-06:00") { () throws in
                    try oficina.sweep()
                    #expect(try oficina.estatus(8) == "Sesión agendada", "day 90: still open")
                },
                Paso(instante: "2031-04-20T00:00:30-06:00") { () throws in
                    #expect(try oficina.sweep().contains("\(credito8)-1: cerrarSinSesion"))
                    #expect(try oficina.estatus(8) == "Retirado automáticamente")
                },
                Paso(instante: "2031-04-22T10:00:00-06:00") { () throws in
                    try laptop.ok(["sync"])
                    let caso8 = try #require(try oficina.caso(8))
                    #expect(caso8["estatus"] == "Convenio firmado")
                    #expect(caso8["cierresDeshechos"]?[0]?["regla"] == "Sin sesión en el plazo")
                    let salida = try oficina.sweep()
                    #expect(!salida.contains("\(credito8)-1: cerrar"))
                    // Reopened, it waits on its next plazo: the convenio goes to the DR the day it is signed.
                    #expect(salida.contains("diasEnvioConvenioDR (G22): 1 — \(credito8)-1"), "\(salida)")
                    #expect(try oficina.estatus(8) == "Convenio firmado")
                },
                // Idempotent: a second sweep on the same day closes nothing more.
                Paso(instante: "2031-05-31T00:05:00-06:00") { () throws in
                    #expect(try oficina.sweep().contains(": 0 closed automatically."))
                },
            ]
            try Self.correr(oficina, pasos)
            #expect(try oficina.server.admin(["audit", "verify"]).stdout.contains("intact"))
            oficina.server.stop()
        }

        /// Year end and a leap February (2032): day 32 and day 91 across both.
        @Test func casesCloseOnTheirDayAcrossTheYearEndAndTheLeapFebruary() throws {
            let oficina = try OficinaSimulada("barrido-2032", cuentas: 6, mediadores: ["mediador.uno"], desde: "2031-11-29T08:00:00-06:00")
            let filas = [
                Fila(cuenta: 1, aceptado: "2031-12-31T23:30:00-06:00", cierre: "2032-01-31", regla: .dia32, nota: "31 Dec 23:30 (1 Jan in UTC)"),
                Fila(cuenta: 2, aceptado: "2032-01-31T23:30:00-06:00", cierre: "2032-03-02", regla: .dia32, nota: "through 29 February"),
                Fila(cuenta: 3, aceptado: "2032-02-29T00:30:00-06:00", cierre: "2032-03-31", regla: .dia32, nota: "accepted on 29 February"),
                Fila(
                    cuenta: 4, aceptado: "2031-11-30T00:30:00-06:00", cierre: "2032-02-28", regla: .dia91,
                    agenda: ("2031-12-01T10:00:00-06:00", "2031-12-09 11:00"), nota: "day 91 from 30 Nov 00:30"
                ),
                Fila(
                    cuenta: 5, aceptado: "2031-12-31T23:40:00-06:00", cierre: "2032-03-30", regla: .dia91,
                    agenda: ("2032-01-01T10:00:00-06:00", "2032-01-09 11:00"), nota: "day 91 from 31 Dec 23:40"
                ),
                Fila(
                    cuenta: 6, aceptado: "2032-02-29T00:40:00-06:00", cierre: "2032-05-29", regla: .dia91,
                    agenda: ("2032-03-01T10:00:00-06:00", "2032-03-09 11:00"), nota: "day 91 from 29 Feb 00:40"
                ),
            ]
            try Self.correr(oficina, filas.flatMap { Self.pasos($0, oficina) })
            oficina.server.stop()
        }

        /// Inside the server, on schedule: the sweep closes what is due soon after the start and logs
        /// counts only (no credit number, no name), the overdue alerts by setting included.
        @Test func theServersScheduledSweepClosesAndLogsCountsOnly() throws {
            let oficina = try OficinaSimulada(
                "barrido-servidor", cuentas: 2, mediadores: ["mediador.uno"], desde: "2031-01-05T08:00:00-06:00", sweepInterval: 60
            )
            try oficina.reloj("2031-01-05T10:00:00-06:00")
            try oficina.aceptar(1)
            try oficina.distribuir(1, a: "mediador.uno")
            try oficina.reloj("2031-01-20T10:00:00-06:00")
            try oficina.aceptar(2)
            try oficina.distribuir(2, a: "mediador.uno")
            // Day 32 of account 1 (5 Jan + 31 = 5 Feb); account 2 is on day 17, its first contact overdue.
            try oficina.reloj("2031-02-05T00:00:30-06:00")
            try oficina.reiniciar()
            #expect(try waitUntil(timeout: 60) { try oficina.estatus(1) == "Retirado automáticamente" }, "the scheduled sweep closed it")
            #expect(try oficina.estatus(2) == "Distribuido al mediador")
            #expect(waitUntil { oficina.server.allLogs.contains("event=sweep ") && oficina.server.allLogs.contains("closed=1") })
            let lineas = oficina.server.allLogs.split(separator: "\n").filter { $0.contains("event=sweep") }
            let linea = try #require(lineas.first { $0.contains("closed=1") })
            #expect(linea.contains("day=2031-02-05"))
            #expect(linea.contains("alerts.diasPrimerContacto=1"), "\(linea)")
            for linea in lineas {
                #expect(!linea.contains(Cuentas.credito(1)) && !linea.contains(Cuentas.credito(2)) && !linea.contains("Persona Ficticia"))
            }
            // In the audit trail like any closure, by the system.
            #expect(try oficina.auditoria(1, dia: "2031-02-05").contains { $0["action"] == "cerrarSinRegistro" && $0["actor"] == "sistema" })
            oficina.server.stop()
        }

        /// The plazos in force decide: with diaCierreSinRegistro at 35 a case closes on day 35, not 32;
        /// lowering it to 33 on day 34 of another case closes that one at the next sweep.
        @Test func aChangedPlazoChangesTheClosureDay() throws {
            let oficina = try OficinaSimulada("barrido-plazo", cuentas: 2, mediadores: ["mediador.uno"], desde: "2031-06-29T08:00:00-06:00")
            try oficina.server.admin(["settings", "set", "diaCierreSinRegistro", "35"], as: "gerencia.uno")
            let pasos = [
                // Account 1, accepted 30 Jun 23:30: day 32 would be 31 Jul; day 35 is 3 Aug.
                Paso(instante: "2031-06-30T23:30:00-06:00") { () throws in
                    try oficina.aceptar(1)
                    try oficina.distribuir(1, a: "mediador.uno")
                },
                Paso(instante: "2031-07-31T00:00:30-06:00") { () throws in
                    try oficina.sweep()
                    #expect(try oficina.estatus(1) == "Distribuido al mediador", "day 32 no longer closes")
                },
                Paso(instante: "2031-08-02T23:55:00-06:00") { () throws in
                    try oficina.sweep()
                    #expect(try oficina.estatus(1) == "Distribuido al mediador")
                },
                Paso(instante: "2031-08-03T00:00:30-06:00") { () throws in
                    #expect(try oficina.sweep().contains("\(Cuentas.credito(1))-1: cerrarSinRegistro"))
                    #expect(try oficina.caso(1)?["cierre"]?["dia"] == 35)
                    #expect(try oficina.caso(1)?["cierre"]?["ultimoDiaPermitido"] == "2031-08-02")
                },
                // Account 2, accepted 10 Aug: day 33 is 11 Sep, day 35 is 13 Sep.
                Paso(instante: "2031-08-10T10:00:00-06:00") { () throws in
                    try oficina.aceptar(2)
                    try oficina.distribuir(2, a: "mediador.uno")
                },
                Paso(instante: "2031-09-12T00:00:30-06:00") { () throws in
                    try oficina.sweep()
                    #expect(try oficina.estatus(2) == "Distribuido al mediador", "day 34 with the plazo at 35")
                },
                Paso(instante: "2031-09-12T09:00:00-06:00") { () throws in
                    try oficina.server.admin(["settings", "set", "diaCierreSinRegistro", "33"], as: "gerencia.uno")
                    #expect(try oficina.sweep().contains("\(Cuentas.credito(2))-1: cerrarSinRegistro"))
                    #expect(try oficina.caso(2)?["cierre"]?["dia"] == 33)
                    #expect(try oficina.caso(1)?["cierre"]?["dia"] == 35, "a closure already made keeps its plazo")
                },
            ]
            try Self.correr(oficina, pasos)
            oficina.server.stop()
        }
    }
}
