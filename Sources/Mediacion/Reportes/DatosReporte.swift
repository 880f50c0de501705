import Foundation
import SyncCore

/// The records a report is computed from: the current state of the collections it reads.
public struct DatosReporte: Sendable {
    /// The accounts (every report reads them: delegación, agency, borrower, assignment).
    public var cuentas: [Cuenta]
    /// The mediation cases, every round.
    public var casos: [Caso]
    /// The sessions (for the agency report).
    public var sesiones: [Sesion]
    /// The signed convenios.
    public var convenios: [Convenio]
    /// The mediators' registry, for their names.
    public var mediadores: [Mediador]
    /// History entries; only the ANEC shipments (`enviarExpedienteANEC`) are used, for the DR
    /// manager who recorded each.
    public var historial: [Historial]

    /// Records given directly (tests, or a caller that already holds them).
    public init(
        cuentas: [Cuenta] = [], casos: [Caso] = [], sesiones: [Sesion] = [], convenios: [Convenio] = [],
        mediadores: [Mediador] = [], historial: [Historial] = []
    ) {
        self.cuentas = cuentas
        self.casos = casos
        self.sesiones = sesiones
        self.convenios = convenios
        self.mediadores = mediadores
        self.historial = historial
    }

    /// Decodes the collections `tipo` reads (`TipoReporte.colecciones`); `leer` returns the
    /// stored bodies of one collection.
    ///
    /// - Throws: `StoredRecordError` for a body that does not have its record's shape, and
    ///   whatever `leer` throws.
    public init(para tipo: TipoReporte, leer: (String) throws -> [JSONObject]) throws {
        self.init()
        for coleccion in tipo.colecciones {
            let cuerpos = try leer(coleccion)
            switch coleccion {
            case Cuenta.collection: cuentas = try cuerpos.map { try Cuenta(body: $0) }
            case Caso.collection: casos = try cuerpos.map { try Caso(body: $0) }
            case Sesion.collection: sesiones = try cuerpos.map { try Sesion(body: $0) }
            case Convenio.collection: convenios = try cuerpos.map { try Convenio(body: $0) }
            case Mediador.collection: mediadores = try cuerpos.map { try Mediador(body: $0) }
            case Historial.collection:
                // The history is the largest collection: decode only the entries a report uses.
                historial = try cuerpos.filter { $0["accion"] == .string(EnviarExpedienteANEC.name) }.map {
                    try Historial(body: $0)
                }
            default: preconditionFailure("a report reads an unknown collection")
            }
        }
    }

    /// The delegaciones of the accounts, in alphabetical order.
    public var delegaciones: [String] {
        Set(cuentas.map(\.delegacion)).sorted(by: Orden.alfabetico)
    }

    /// The name of the delegación `nombre` designates, ignoring case, accents and surrounding
    /// spaces ("delegacion ejemplo" finds "Delegación Ejemplo"); `nil` if no account has it.
    public func delegacion(llamada nombre: String) -> String? {
        let buscada = Orden.clave(nombre.trimmingCharacters(in: .whitespaces))
        return delegaciones.first { Orden.clave($0) == buscada }
    }

    /// Only the accounts of `delegacion` and the records of their credits.
    public func soloDe(delegacion: String) -> DatosReporte {
        let creditos = Set(cuentas.filter { $0.delegacion == delegacion }.map(\.numeroCredito))
        return DatosReporte(
            cuentas: cuentas.filter { creditos.contains($0.numeroCredito) },
            casos: casos.filter { creditos.contains($0.numeroCredito) },
            sesiones: sesiones.filter { creditos.contains($0.numeroCredito) },
            convenios: convenios.filter { creditos.contains($0.numeroCredito) }, mediadores: mediadores,
            historial: historial.filter { $0.numeroCredito.map(creditos.contains) ?? false }
        )
    }
}

/// The records of a `DatosReporte`, looked up by key.
struct IndiceReporte {
    let cuentas: [String: Cuenta]
    let casos: [String: Caso]
    /// Each case's sessions, by number.
    let sesiones: [String: [Sesion]]
    /// By case id.
    let convenios: [String: Convenio]
    let mediadores: [String: Mediador]
    /// Case id → the user who recorded its latest ANEC shipment.
    let gerentesANEC: [String: String]

    init(_ datos: DatosReporte) {
        cuentas = Dictionary(datos.cuentas.map { ($0.numeroCredito, $0) }, uniquingKeysWith: { _, ultimo in ultimo })
        casos = Dictionary(datos.casos.map { ($0.id, $0) }, uniquingKeysWith: { _, ultimo in ultimo })
        sesiones = Dictionary(grouping: datos.sesiones, by: \.casoId).mapValues { $0.sorted { $0.numero < $1.numero } }
        convenios = Dictionary(datos.convenios.map { ($0.casoId, $0) }, uniquingKeysWith: { _, ultimo in ultimo })
        mediadores = Dictionary(datos.mediadores.map { ($0.usuario, $0) }, uniquingKeysWith: { _, ultimo in ultimo })
        var gerentes: [String: Historial] = [:]
        for entrada in datos.historial where entrada.accion == EnviarExpedienteANEC.name {
            guard let caso = entrada.casoId else { continue }
            if let previa = gerentes[caso], previa.ocurrido > entrada.ocurrido { continue }
            gerentes[caso] = entrada
        }
        gerentesANEC = gerentes.mapValues(\.usuario)
    }

    /// The cases with their accounts that `incluir` selects, in the order of the credit number
    /// and the round.
    func casos(donde incluir: (Caso) -> Bool) -> [(cuenta: Cuenta, caso: Caso)] {
        casos.values.filter(incluir).compactMap { caso in cuentas[caso.numeroCredito].map { ($0, caso) } }
            .sorted { ($0.caso.numeroCredito, $0.caso.ronda) < ($1.caso.numeroCredito, $1.caso.ronda) }
    }
}

/// How reports order names.
enum Orden {
    /// The text compared for alphabetical order: without case or accents.
    static func clave(_ texto: String) -> String {
        texto.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// Alphabetical order ignoring case and accents, ties by the text itself.
    static func alfabetico(_ a: String, _ b: String) -> Bool {
        let (ka, kb) = (clave(a), clave(b))
        return ka == kb ? a < b : ka < kb
    }
}
