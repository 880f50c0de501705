import Foundation

/// Computes the institution's reports from the records: pure functions of the records and a
/// month, no I/O and no clock. Each report states which records belong to the month (see
/// docs/reports.md); every instant is placed in a month by its Mexico City date.
public enum Reportes {
    /// The report `tipo` for `mes`.
    ///
    ///     let reporte = Reportes.generar(.pagos, mes: Mes("2027-01")!, datos: datos)
    ///     reporte.tablas[0].encabezados  // ["Número de Crédito", "Acreditado(a)", …]
    public static func generar(_ tipo: TipoReporte, mes: Mes, datos: DatosReporte) -> Reporte {
        let indice = IndiceReporte(datos)
        let tablas: [TablaReporte] =
            switch tipo {
            case .agenciaMensual: [agenciaMensual(mes, indice)]
            case .delegacionMensual: delegacionMensual(mes, indice, delegaciones: datos.delegaciones)
            case .als: [als(mes, indice)]
            case .pagos: [pagos(mes, indice)]
            case .anec: [anec(mes, indice)]
            case .recuperacionEspecializada: [recuperacionEspecializada(mes, indice)]
            }
        return Reporte(tipo: tipo, mes: mes, tablas: tablas)
    }

    // MARK: G32, the agency's monthly report

    /// G32 items i–vii, one row per mediation case (one round of one account).
    public static let columnasAgencia = [
        Columna("Número de crédito"), Columna("Delegación"), Columna("Proveedor"), Columna("Etiqueta"),
        Columna("Fecha de asignación", .fecha), Columna("Aceptó el servicio de mediación"), Columna("Mediador"),
        Columna("Asistió a la sesión de mediación"), Columna("Causa de no asistencia"), Columna("Firmó convenio"),
        Columna("Tipo de convenio"), Columna("Solución o producto acordado"), Columna("Fecha de la sesión de mediación", .fecha),
        Columna("Fecha de firma del convenio", .fecha), Columna("Inscrito o ratificado ante CJA"),
        Columna("Fecha de inscripción ante CJA", .fecha),
    ]

    /// Rows: the accounts assigned in the month (their current round, or the account alone when
    /// the asesor has not asked yet) and the cases whose convenio was signed in the month ("los
    /// convenios celebrados en el mes calendario que concluyó"), each case once.
    static func agenciaMensual(_ mes: Mes, _ indice: IndiceReporte) -> TablaReporte {
        var incluidos: [String: (cuenta: Cuenta, ronda: Int)] = [:]
        for cuenta in indice.cuentas.values where FechaCivil(cuenta.fechaAsignacion).map(mes.contiene) == true {
            incluidos[cuenta.casoActual] = (cuenta, cuenta.ronda)
        }
        for convenio in indice.convenios.values where mes.contiene(convenio.fechaFirma) {
            guard let caso = indice.casos[convenio.casoId], let cuenta = indice.cuentas[caso.numeroCredito] else { continue }
            incluidos[caso.id] = (cuenta, caso.ronda)
        }
        let filas = incluidos.values.sorted { ($0.cuenta.numeroCredito, $0.ronda) < ($1.cuenta.numeroCredito, $1.ronda) }
            .map { cuenta, ronda in
                filaAgencia(cuenta, ronda: ronda, caso: indice.casos[Caso.id(numeroCredito: cuenta.numeroCredito, ronda: ronda)], indice)
            }
        return TablaReporte(nombre: "Informe mensual", columnas: columnasAgencia, filas: filas)
    }

    private static func filaAgencia(_ cuenta: Cuenta, ronda: Int, caso: Caso?, _ indice: IndiceReporte) -> [Celda] {
        // The label of the round: the account's for its current round; an earlier round's from
        // its number (the second and later rounds are re-mediations).
        let etiqueta: Etiqueta =
            ronda == cuenta.ronda ? cuenta.etiqueta : ronda > 1 ? .susceptibleDeRemediacion : .susceptibleDeMediacion
        let asignacion: [Celda] = [
            .texto(cuenta.numeroCredito), .texto(cuenta.delegacion), .texto(cuenta.despacho), .texto(etiqueta.rawValue),
            fechaAsignacion(cuenta),
        ]
        guard let caso else { return asignacion + Array(repeating: .vacia, count: columnasAgencia.count - asignacion.count) }

        let acepto: Celda =
            caso.fechaAceptacion != nil ? .siNo(true) : caso.fechaNoAceptacion != nil ? .siNo(false) : .vacia
        let mediador = caso.mediador.map { indice.mediadores[$0]?.nombre ?? $0 }
        let sesiones = indice.sesiones[caso.id] ?? []
        let (asistio, causa) = asistencia(caso, sesiones)
        let convenio = indice.convenios[caso.id]
        let firmo: Celda
        if convenio != nil {
            firmo = .siNo(true)
        } else if caso.sesionesCelebradas > 0, caso.fechaNegativaFirma != nil || caso.estatus.isFinal {
            firmo = .siNo(false)
        } else {
            firmo = .vacia
        }
        // The session held last (the convenio is signed or refused at the last session), else the
        // last one scheduled.
        let sesion = sesiones.last { $0.celebrada == true } ?? sesiones.last
        let cja: Celda = convenio == nil ? .vacia : .siNo(caso.inscripcionCJA != nil)
        return asignacion + [
            acepto, .textoOpcional(mediador), asistio, .textoOpcional(causa), firmo, .textoOpcional(convenio?.tipo.rawValue),
            .textoOpcional(convenio?.solucion), .fechaDe(sesion?.fechaHora), .fechaDe(convenio?.fechaFirma), cja,
            .fechaOpcional(caso.inscripcionCJA?.fechaInscripcion),
        ]
    }

    /// G32 iv: whether the borrower attended a session and, if not, why. Empty while it cannot be
    /// told yet (no mediator, or a session still ahead).
    static func asistencia(_ caso: Caso, _ sesiones: [Sesion]) -> (Celda, String?) {
        guard caso.fechaAceptacion != nil, caso.mediador != nil else { return (.vacia, nil) }
        if caso.sesionesCelebradas > 0 { return (.siNo(true), nil) }
        if let causa = caso.causaNoAgendada { return (.siNo(false), causa.rawValue) }
        if caso.estatus == .retiradoAutomaticamente, let cierre = caso.cierre { return (.siNo(false), cierre.regla.rawValue) }
        if let ultima = sesiones.last, ultima.celebrada == false {
            let motivo = ultima.motivoNoCelebrada?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return (.siNo(false), motivo.isEmpty ? EstatusCaso.sesionNoCelebrada.rawValue : motivo)
        }
        if caso.estatus == .excluido, let criterio = caso.exclusion { return (.siNo(false), criterio.rawValue) }
        return (.vacia, nil)
    }

    // MARK: Guía 34, the DR's monthly report

    /// Guía 34 i–v, one row per convenio signed in the month.
    public static let columnasDelegacion = [
        Columna("Delegación"), Columna("Número de crédito"), Columna("Proveedor"), Columna("Tipo de convenio"),
        Columna("Fecha de firma", .fecha), Columna("Primer pago"), Columna("Fecha del primer pago", .fecha),
    ]

    /// Guía 34 ii: per delegación, the number of convenios signed in the month and how many of
    /// them have their first payment.
    public static let columnasResumenDelegacion = [
        Columna("Delegación"), Columna("Convenios firmados", .entero), Columna("Convenios con primer pago", .entero),
    ]

    /// Two tables: the convenios signed in the month, by delegación and credit number; and per
    /// delegación of the accounts (zero included), their number and those with a first payment
    /// recorded (when the report is made).
    static func delegacionMensual(_ mes: Mes, _ indice: IndiceReporte, delegaciones: [String]) -> [TablaReporte] {
        let firmados = indice.casos { caso in indice.convenios[caso.id].map { mes.contiene($0.fechaFirma) } ?? false }
            .sorted { a, b in
                a.cuenta.delegacion == b.cuenta.delegacion
                    ? (a.caso.numeroCredito, a.caso.ronda) < (b.caso.numeroCredito, b.caso.ronda)
                    : Orden.alfabetico(a.cuenta.delegacion, b.cuenta.delegacion)
            }
        let detalle = firmados.map { cuenta, caso -> [Celda] in
            let convenio = indice.convenios[caso.id]!
            return [
                .texto(cuenta.delegacion), .texto(cuenta.numeroCredito), .texto(cuenta.despacho), .texto(convenio.tipo.rawValue),
                .fechaDe(convenio.fechaFirma), .siNo(caso.primerPago != nil), .fechaOpcional(caso.primerPago?.fechaPago),
            ]
        }
        let resumen = delegaciones.map { delegacion -> [Celda] in
            let suyos = firmados.filter { $0.cuenta.delegacion == delegacion }
            return [.texto(delegacion), .entero(suyos.count), .entero(suyos.count { $0.caso.primerPago != nil })]
        }
        return [
            TablaReporte(nombre: "Convenios", columnas: columnasDelegacion, filas: detalle),
            TablaReporte(nombre: "Resumen", columnas: columnasResumenDelegacion, filas: resumen),
        ]
    }

    // MARK: Outputs to other systems

    /// ALS: "Número de Crédito, Acreditado(a), Convenio firmado, Factor de Pago", with the
    /// convenio's type and dates to identify it.
    public static let columnasALS = [
        Columna("Número de Crédito"), Columna("Acreditado(a)"), Columna("Convenio firmado"), Columna("Tipo de convenio"),
        Columna("Fecha de firma", .fecha), Columna("Factor de Pago", .numero), Columna("Fecha de aprobación de la solución", .fecha),
    ]

    /// Rows: the solutions the DR approved in the month (G25: approving makes the restructure
    /// migrate to ALS). "Convenio firmado" is the solution or product of the signed convenio.
    static func als(_ mes: Mes, _ indice: IndiceReporte) -> TablaReporte {
        let filas = indice.casos { caso in
            caso.fechaSolucionAprobada.map(mes.contiene) == true && indice.convenios[caso.id] != nil
        }.map { cuenta, caso -> [Celda] in
            let convenio = indice.convenios[caso.id]!
            return [
                .texto(cuenta.numeroCredito), .texto(cuenta.acreditado), .texto(convenio.solucion), .texto(convenio.tipo.rawValue),
                .fechaDe(convenio.fechaFirma), .numero(convenio.factorPago), .fechaDe(caso.fechaSolucionAprobada),
            ]
        }
        return TablaReporte(nombre: "ALS", columnas: columnasALS, filas: filas)
    }

    /// Payments: "Número de Crédito, Acreditado(a), Monto del pago realizado", with its date.
    public static let columnasPagos = [
        Columna("Número de Crédito"), Columna("Acreditado(a)"), Columna("Monto del pago realizado", .dinero),
        Columna("Fecha de pago", .fecha),
    ]

    /// Rows: the first payments made in the month (by the payment's date, not the day it was
    /// recorded).
    static func pagos(_ mes: Mes, _ indice: IndiceReporte) -> TablaReporte {
        let filas = indice.casos { caso in caso.primerPago.map { mes.contiene($0.fechaPago) } ?? false }.map { cuenta, caso in
            [
                Celda.texto(cuenta.numeroCredito), .texto(cuenta.acreditado), .dinero(caso.primerPago!.monto),
                .fecha(caso.primerPago!.fechaPago),
            ]
        }
        return TablaReporte(nombre: "Pagos", columnas: columnasPagos, filas: filas)
    }

    /// ANEC: "No. De Crédito, Acreditado(a), Gerente de Cobranza de Delegación, Número de Guía
    /// enviada, Fecha Envío de Guía", with the delegación.
    public static let columnasANEC = [
        Columna("No. De Crédito"), Columna("Acreditado(a)"), Columna("Gerente de Cobranza de Delegación"),
        Columna("Número de Guía enviada"), Columna("Fecha Envío de Guía", .fecha), Columna("Delegación"),
    ]

    /// Rows: the expedientes shipped to the ANEC in the month (by the shipping date). The manager
    /// is the user of the delegación who recorded the shipment (from the case's history).
    static func anec(_ mes: Mes, _ indice: IndiceReporte) -> TablaReporte {
        let filas = indice.casos { caso in caso.envioANEC.map { mes.contiene($0.fechaEnvio) } ?? false }.map { cuenta, caso in
            [
                Celda.texto(cuenta.numeroCredito), .texto(cuenta.acreditado), .textoOpcional(indice.gerentesANEC[caso.id]),
                .texto(caso.envioANEC!.numeroGuia), .fecha(caso.envioANEC!.fechaEnvio), .texto(cuenta.delegacion),
            ]
        }
        return TablaReporte(nombre: "ANEC", columnas: columnasANEC, filas: filas)
    }

    /// Recuperación Especializada: "Delegación, Crédito, Acreditado(a), Despacho, Fecha de
    /// Asignación", with what the borrower declined and when.
    public static let columnasRecuperacion = [
        Columna("Delegación"), Columna("Crédito"), Columna("Acreditado(a)"), Columna("Despacho"),
        Columna("Fecha de Asignación", .fecha), Columna("Resultado de la mediación"), Columna("Fecha del resultado", .fecha),
    ]

    /// Rows: the borrowers who, in the month, did not accept mediation (G3) or refused to sign
    /// the convenio (G18, unless a convenio stands), by delegación and credit number.
    static func recuperacionEspecializada(_ mes: Mes, _ indice: IndiceReporte) -> TablaReporte {
        let filas = indice.casos { caso in
            caso.fechaNoAceptacion.map(mes.contiene) == true
                || (caso.fechaNegativaFirma.map(mes.contiene) == true && indice.convenios[caso.id] == nil)
        }
        .sorted { a, b in
            a.cuenta.delegacion == b.cuenta.delegacion
                ? (a.caso.numeroCredito, a.caso.ronda) < (b.caso.numeroCredito, b.caso.ronda)
                : Orden.alfabetico(a.cuenta.delegacion, b.cuenta.delegacion)
        }
        .map { cuenta, caso -> [Celda] in
            let noAcepto = caso.fechaNoAceptacion.map(mes.contiene) == true
            return [
                .texto(cuenta.delegacion), .texto(cuenta.numeroCredito), .texto(cuenta.acreditado), .texto(cuenta.despacho),
                fechaAsignacion(cuenta),
                .texto(noAcepto ? EstatusCaso.mediacionNoAceptada.rawValue : EstatusCaso.negativaFirma.rawValue),
                .fechaDe(noAcepto ? caso.fechaNoAceptacion : caso.fechaNegativaFirma),
            ]
        }
        return TablaReporte(nombre: "Recuperación Especializada", columnas: columnasRecuperacion, filas: filas)
    }

    private static func fechaAsignacion(_ cuenta: Cuenta) -> Celda {
        FechaCivil(cuenta.fechaAsignacion).map(Celda.fecha) ?? .textoOpcional(cuenta.fechaAsignacion)
    }
}
