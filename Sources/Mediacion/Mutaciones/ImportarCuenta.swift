import Foundation
import SyncCore

/// How an account enters the mediation service (the procedure's activity 1 and Anexo 1).
public enum EntradaServicio: String, Catalogo {
    /// G1: the monthly assignment labels the account *susceptible de mediación*.
    case asignacionMensual = "Asignación mensual"
    /// Anexo 1 A: a credit proposed by the borrower or a business area, reviewed as susceptible
    /// (A1–A4), labelled by operations (A5); the agency then marks it accepted (A7).
    case aSolicitud = "Mediación a solicitud del acreditado o a propuesta de área de negocio"
    /// Anexo 1 B: an account of Recuperación Especializada found inhabited, labelled by operations
    /// (B2); the agency then marks it accepted (B4).
    case recuperacionEspecializada = "Mediación en el segmento de Recuperación Especializada"
    /// Anexo 1 C: a credit labelled *susceptible de re-mediación* (C1): a new round.
    case remediacion = "Re-mediación"
}

/// G1 (and Anexo 1 A5, B2, C1, general guideline 1): operations loads one account of the
/// assignment, labelled for mediation or re-mediation, with its convenio type. Server only.
///
/// - A re-mediation label (`entrada` C, or the label “susceptible de re-mediación”) on an account
///   whose round ended opens a new round, as `EtiquetarRemediacion` does. On an account labelled
///   so already it only reloads the data while that round has not ended, or when the row has the
///   assignment date the account has (the same file again).
/// - With `criterioExclusion` (§6.1) the credit is not labelled: an account already loaded is
///   excluded, as `ExcluirCuenta` does; a credit not yet loaded is left out: nothing is written and
///   the outcome's resolution says so.
/// - Loading the same data again writes nothing.
public struct ImportarCuenta: MutacionMediacion {
    public static let name = "importarCuenta"
    public static let summary = "Load or update an account of the monthly assignment."
    public static let allowedRoles: Set<String> = .roles(.operacion)
    public static let worksOffline = false
    public static let ficha = Ficha(
        "G1, Anexo 1 A5, B2, C1, Lineamiento 1",
        precondiciones: [
            "fewer than two breached convenios (counting those already recorded)",
            "re-importing keeps the round, the breaches recorded and any exclusion",
            "entrada A: a proposal reviewed as susceptible; entrada B: segment “Recuperación Especializada”",
            "a re-mediation label (entrada C) opens a new round when the current one ended, as etiquetarRemediacion; "
                + "on an account so labelled, a reload while its round is open or with the same fechaAsignacion",
            "with criterioExclusion the credit is not labelled; an account already loaded is excluded, as excluirCuenta",
        ],
        datos: [
            "numeroCredito (10 digits)", "acreditado", "delegacion", "despacho", "fechaAsignacion (YYYY-MM-DD)",
            "segmento", "etiqueta", "tipoConvenio", "conveniosIncumplidos (optional)", "asesor (optional)",
            "entrada (optional: \(EntradaServicio.catalogueList))", "criterioExclusion (optional, §6.1)",
        ]
    )

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
    /// How the account enters the service; when absent, from the label: re-mediation (C) or the
    /// monthly assignment.
    public var entrada: EntradaServicio?
    /// An exclusion criterion the assignment found for the credit (§6.1).
    public var criterioExclusion: CriterioExclusion?

    public init(cuenta: Cuenta, entrada: EntradaServicio? = nil, criterioExclusion: CriterioExclusion? = nil) {
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
        self.entrada = entrada
        self.criterioExclusion = criterioExclusion
    }

    public func conflictTargets() -> [RecordKey] { [Cuenta.key(numeroCredito)] }
    public static var conflictCollections: Set<String> { [Cuenta.collection] }

    /// The entry the row is loaded by: as given, or from the label.
    public var entradaEfectiva: EntradaServicio {
        entrada ?? (etiqueta == .susceptibleDeRemediacion ? .remediacion : .asignacionMensual)
    }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        try Formato.numeroCredito(numeroCredito)
        for (campo, valor) in [("acreditado", acreditado), ("delegacion", delegacion), ("despacho", despacho)]
        where valor.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            throw Rechazo.datoInvalido(campo, "must not be empty")
        }
        guard FechaCivil(fechaAsignacion) != nil else {
            throw Rechazo.datoInvalido("fechaAsignacion", "expected a date like 2026-11-02")
        }
        guard (conveniosIncumplidos ?? 0) >= 0 else {
            throw Rechazo.datoInvalido("conveniosIncumplidos", "must not be negative")
        }
        var existing = try records.read(Cuenta.self, numeroCredito)
        if let criterioExclusion {
            // General guideline 1: a credit that meets a criterion is not labelled.
            guard existing != nil else {
                return MutationOutcome(
                    resolution: "Not loaded: the credit meets the exclusion criterion “\(criterioExclusion.rawValue)” (§6.1)."
                )
            }
            return try ExcluirCuenta(numeroCredito: numeroCredito, criterio: criterioExclusion).apply(context, &records)
        }
        let entrada = entradaEfectiva
        try comprobarEntrada(entrada, records)
        if entrada == .remediacion, let cuenta = existing, try abreRonda(cuenta, records) {
            _ = try EtiquetarRemediacion(numeroCredito: numeroCredito, tipoConvenio: tipoConvenio).apply(context, &records)
            existing = try records.read(Cuenta.self, numeroCredito)
        }
        let incumplidos = max(conveniosIncumplidos ?? 0, existing?.conveniosIncumplidos ?? 0)
        guard incumplidos < 2 else { throw Rechazo.creditoExcluidoPorIncumplimientos() }
        let cuenta = Cuenta(
            numeroCredito: numeroCredito, acreditado: acreditado, delegacion: delegacion, despacho: despacho,
            fechaAsignacion: fechaAsignacion, segmento: segmento, etiqueta: etiqueta, tipoConvenio: tipoConvenio,
            conveniosIncumplidos: incumplidos, asesor: asesor, ronda: existing?.ronda ?? 1, exclusion: existing?.exclusion,
            fechaExclusion: existing?.fechaExclusion
        )
        if cuenta != existing { records.write(cuenta) }
        return .applied
    }

    /// Whether a re-mediation label on `cuenta` opens a new round (C1). An account labelled
    /// for re-mediation already is reloaded while its round has not ended, and when the row is
    /// of the same assignment (its date) as the label it has; otherwise the round must have ended
    /// (`EtiquetarRemediacion` refuses when it has not).
    func abreRonda(_ cuenta: Cuenta, _ records: RecordWriter) throws -> Bool {
        guard cuenta.etiqueta == .susceptibleDeRemediacion else { return true }
        guard let caso = try records.read(Caso.self, cuenta.casoActual), caso.estatus.isFinal else { return false }
        return cuenta.fechaAsignacion != fechaAsignacion
    }

    /// The preconditions of the entry (Anexo 1 A, B, C) and its label.
    func comprobarEntrada(_ entrada: EntradaServicio, _ records: RecordWriter) throws {
        let etiquetaEsperada: Etiqueta = entrada == .remediacion ? .susceptibleDeRemediacion : .susceptibleDeMediacion
        guard etiqueta == etiquetaEsperada else {
            throw Rechazo.datoInvalido(
                "etiqueta", "the entry “\(entrada.rawValue)” labels accounts “\(etiquetaEsperada.rawValue)”"
            )
        }
        switch entrada {
        case .aSolicitud:
            let propuesta = try records.read(Propuesta.self, numeroCredito)
            guard propuesta?.estado == .susceptible else { throw Rechazo.entradaSinPropuesta(propuesta) }
        case .recuperacionEspecializada:
            guard segmento == .recuperacionEspecializada else {
                throw Rechazo.datoInvalido(
                    "segmento", "entry B (Anexo 1 B) is for accounts of the segment “\(Segmento.recuperacionEspecializada.rawValue)”"
                )
            }
        case .asignacionMensual, .remediacion:
            break
        }
    }
}

extension Rechazo {
    /// Anexo 1 A5 labels only credits proposed (A1) and reviewed as susceptible (A2–A4).
    public static func entradaSinPropuesta(_ propuesta: Propuesta?) -> MutationRejection {
        let estado: String
        switch propuesta?.estado {
        case nil: estado = "this credit has no proposal in Gestión Móvil"
        case .presentada?: estado = "its proposal is still waiting for review"
        case .noSusceptible?:
            estado = "its proposal was reviewed as not susceptible"
                + (propuesta?.criterioExclusion.map { " (“\($0.rawValue)”)" } ?? "")
        case .susceptible?: estado = "its proposal was reviewed as susceptible"
        }
        return MutationRejection(
            code: "entrada_sin_propuesta",
            message: "Entry A (Anexo 1 A) labels credits proposed for mediation and reviewed as susceptible; \(estado)."
        )
    }
}

/// Anexo 1 A1: a business area (or the borrower, through it) proposes an unlabelled credit for
/// mediation.
public struct ProponerMediacion: MutacionMediacion {
    public static let name = "proponerMediacion"
    public static let summary = "Propose an unlabelled credit for mediation (Anexo 1 A1)."
    public static let allowedRoles: Set<String> = .roles(.delegacion, .mediacion)
    public static let worksOffline = true
    public static let ficha = Ficha(
        "Anexo 1 A1",
        precondiciones: ["the credit is not labelled in Gestión Móvil", "no proposal for it is waiting for review"],
        datos: ["numeroCredito", "delegacion", "solicitante"]
    )

    public var numeroCredito: String
    public var delegacion: String
    public var solicitante: Solicitante

    public init(numeroCredito: String, delegacion: String, solicitante: Solicitante) {
        self.numeroCredito = numeroCredito
        self.delegacion = delegacion
        self.solicitante = solicitante
    }

    public func conflictTargets() -> [RecordKey] { [Propuesta.key(numeroCredito)] }
    public static var conflictCollections: Set<String> { [Propuesta.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        try Formato.numeroCredito(numeroCredito)
        guard !delegacion.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Rechazo.datoInvalido("delegacion", "must not be empty")
        }
        guard try records.read(Cuenta.self, numeroCredito) == nil else { throw Rechazo.cuentaYaEtiquetada() }
        if let previa = try records.read(Propuesta.self, numeroCredito), previa.estado == .presentada {
            throw Rechazo.yaRegistrada("A proposal waiting for review")
        }
        records.write(
            Propuesta(
                numeroCredito: numeroCredito, delegacion: delegacion, solicitante: solicitante, estado: .presentada,
                presentada: context.occurredAt, presentadaPor: context.author.userID
            )
        )
        return .applied
    }
}

/// Anexo 1 A2–A4: the Gerencia de Mediación checks a proposal against the exclusion criteria:
/// susceptible (operations then labels it, A5) or not (A3, with the criterion).
public struct RevisarPropuesta: MutacionMediacion {
    public static let name = "revisarPropuesta"
    public static let summary = "Review a mediation proposal against the exclusion criteria (Anexo 1 A2–A4)."
    public static let allowedRoles: Set<String> = .roles(.mediacion)
    public static let worksOffline = false
    public static let ficha = Ficha(
        "Anexo 1 A2–A4",
        precondiciones: ["a proposal waiting for review", "not susceptible: an exclusion criterion (§6.1)"],
        datos: ["numeroCredito", "susceptible (true/false)", "criterioExclusion (when not susceptible)"]
    )

    public var numeroCredito: String
    public var susceptible: Bool
    public var criterioExclusion: CriterioExclusion?

    public init(numeroCredito: String, susceptible: Bool, criterioExclusion: CriterioExclusion? = nil) {
        self.numeroCredito = numeroCredito
        self.susceptible = susceptible
        self.criterioExclusion = criterioExclusion
    }

    public func conflictTargets() -> [RecordKey] { [Propuesta.key(numeroCredito)] }
    public static var conflictCollections: Set<String> { [Propuesta.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        try Formato.numeroCredito(numeroCredito)
        guard var propuesta = try records.read(Propuesta.self, numeroCredito) else { throw Rechazo.propuestaNoExiste() }
        guard propuesta.estado == .presentada else { throw Rechazo.propuestaYaRevisada(propuesta.estado) }
        if !susceptible && criterioExclusion == nil {
            throw Rechazo.datoInvalido("criterioExclusion", "a credit not susceptible needs the criterion: \(CriterioExclusion.catalogueList)")
        }
        propuesta.estado = susceptible ? .susceptible : .noSusceptible
        propuesta.criterioExclusion = susceptible ? nil : criterioExclusion
        propuesta.revisada = context.occurredAt
        propuesta.revisadaPor = context.author.userID
        records.write(propuesta)
        return .applied
    }
}

/// §6.1 and DOMAIN §8.4: operations (or the Gerencia) finds an exclusion criterion: the credit
/// leaves mediation; a case still before its convenio is closed as “Excluido de mediación”.
public struct ExcluirCuenta: MutacionMediacion {
    public static let name = "excluirCuenta"
    public static let summary = "Exclude a credit from mediation for an exclusion criterion (§6.1)."
    public static let allowedRoles: Set<String> = .roles(.operacion, .mediacion)
    public static let worksOffline = false
    public static let ficha = Ficha(
        "Lineamiento 1",
        precondiciones: [
            "the account exists",
            "the current case is closed as “Excluido de mediación” when its status allows it; a signed convenio is kept",
        ],
        datos: ["numeroCredito", "criterio (§6.1)"]
    )

    public var numeroCredito: String
    public var criterio: CriterioExclusion

    public init(numeroCredito: String, criterio: CriterioExclusion) {
        self.numeroCredito = numeroCredito
        self.criterio = criterio
    }

    public func conflictTargets() -> [RecordKey] { [Cuenta.key(numeroCredito)] }
    public static var conflictCollections: Set<String> { [Cuenta.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        var cuenta = try records.cuenta(numeroCredito)
        guard cuenta.exclusion != criterio else { return .applied }
        cuenta.exclusion = criterio
        cuenta.fechaExclusion = context.occurredAt
        records.write(cuenta)
        if var caso = try records.read(Caso.self, cuenta.casoActual),
            case .success(let hacia) = FlujoMediacion.siguiente(caso.estatus, .exclusion)
        {
            var nota = Anotacion(casoId: caso.id, numeroCredito: numeroCredito, estatusAnterior: caso.estatus, estatusNuevo: hacia)
            nota.detalle = ["criterio": criterio.rawValue]
            caso.estatus = hacia
            caso.fechaEstatus = context.occurredAt
            caso.exclusion = criterio
            records.write(caso)
            records.anotar(context, accion: Self.name, descripcion: Self.summary, nota)
        }
        return .applied
    }
}

/// Anexo 1 C1: operations labels the account *susceptible de re-mediación*: a new round starts,
/// under the same rules. Two breached convenios exclude the credit for good.
public struct EtiquetarRemediacion: MutacionMediacion {
    public static let name = "etiquetarRemediacion"
    public static let summary = "Label the account for re-mediation: a new mediation round (Anexo 1 C1)."
    public static let allowedRoles: Set<String> = .roles(.operacion)
    public static let worksOffline = false
    public static let ficha = Ficha(
        "Anexo 1 C1, Lineamientos 7–8",
        precondiciones: [
            "the account exists and is not excluded", "fewer than two breached convenios",
            "the current round's case has ended (a final status)",
        ],
        datos: ["numeroCredito", "tipoConvenio (optional: the type decided for the new round)"]
    )

    public var numeroCredito: String
    public var tipoConvenio: TipoConvenio?

    public init(numeroCredito: String, tipoConvenio: TipoConvenio? = nil) {
        self.numeroCredito = numeroCredito
        self.tipoConvenio = tipoConvenio
    }

    public func conflictTargets() -> [RecordKey] { [Cuenta.key(numeroCredito)] }
    public static var conflictCollections: Set<String> { [Cuenta.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        var cuenta = try records.cuenta(numeroCredito)
        if let criterio = cuenta.exclusion { throw Rechazo.cuentaExcluida(criterio) }
        guard cuenta.conveniosIncumplidos < 2 else { throw Rechazo.creditoExcluidoPorIncumplimientos() }
        let actual = try records.read(Caso.self, cuenta.casoActual)
        guard let actual, actual.estatus.isFinal else { throw Rechazo.remediacionNoPermite(actual?.estatus) }
        cuenta.ronda += 1
        cuenta.etiqueta = .susceptibleDeRemediacion
        if let tipoConvenio { cuenta.tipoConvenio = tipoConvenio }
        records.write(cuenta)
        return .applied
    }
}
