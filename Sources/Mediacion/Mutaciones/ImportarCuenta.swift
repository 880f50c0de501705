import Foundation
import SyncCore

/// Operations loads an account labelled for mediation (monthly assignment). Server only.
public struct ImportarCuenta: Mutation {
    public static let name = "importarCuenta"
    public static let summary = "Load or update an account of the monthly assignment."
    public static let allowedRoles: Set<String> = .roles(.operacion)
    public static let worksOffline = false

    public var numeroCredito: String
    public var acreditado: String
    public var delegacion: String
    public var despacho: String
    public var fechaAsignacion: String
    public var segmento: Segmento
    public var etiqueta: Etiqueta
    public var tipoConvenio: TipoConvenio
    public var conveniosIncumplidos: Int?
    public var asesor: String?

    public init(cuenta: Cuenta) {
        numeroCredito = cuenta.numeroCredito
        acreditado = cuenta.acreditado
        delegacion = cuenta.delegacion
        despacho = cuenta.despacho
        fechaAsignacion = cuenta.fechaAsignacion
        segmento = cuenta.segmento
        etiqueta = cuenta.etiqueta
        tipoConvenio = cuenta.tipoConvenio
        conveniosIncumplidos = cuenta.conveniosIncumplidos
        asesor = cuenta.asesor
    }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        try Formato.numeroCredito(numeroCredito)
        for (campo, valor) in [("acreditado", acreditado), ("delegacion", delegacion), ("despacho", despacho)]
        where valor.trimmingCharacters(in: .whitespaces).isEmpty {
            throw Rechazo.datoInvalido(campo, "must not be empty")
        }
        guard FechaCivil(fechaAsignacion) != nil else {
            throw Rechazo.datoInvalido("fechaAsignacion", "expected a date like 2026-11-02")
        }
        let incumplidos = conveniosIncumplidos ?? 0
        guard incumplidos >= 0 else { throw Rechazo.datoInvalido("conveniosIncumplidos", "must not be negative") }
        let existing = try records.read(Cuenta.self, numeroCredito)
        let cuenta = Cuenta(
            numeroCredito: numeroCredito, acreditado: acreditado, delegacion: delegacion, despacho: despacho,
            fechaAsignacion: fechaAsignacion, segmento: segmento, etiqueta: etiqueta, tipoConvenio: tipoConvenio,
            conveniosIncumplidos: incumplidos, asesor: asesor, ronda: existing?.ronda ?? 1
        )
        if cuenta != existing { records.write(cuenta) }
        return .applied
    }
}
