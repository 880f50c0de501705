import CommandLineSupport
import Mediacion

// The words an assignment file may use: the column names (the system's and the Spanish ones of
// an operator's spreadsheet) and the catalogue values as people write them. Everything is
// compared through `TextKey.fold`: case, accents, spaces and punctuation do not matter.

/// A column of the assignment file.
enum AssignmentColumn: String, CaseIterable, Sendable {
    case numeroCredito, acreditado, delegacion, despacho, fechaAsignacion, segmento, etiqueta, tipoConvenio
    case conveniosIncumplidos, asesor, entrada, criterioExclusion

    /// Whether every file must have it.
    var isRequired: Bool {
        switch self {
        case .conveniosIncumplidos, .asesor, .entrada, .criterioExclusion: false
        default: true
        }
    }

    /// The name an operator's spreadsheet gives it.
    var spanish: String {
        switch self {
        case .numeroCredito: "Número de crédito"
        case .acreditado: "Acreditado"
        case .delegacion: "Delegación"
        case .despacho: "Despacho"
        case .fechaAsignacion: "Fecha de asignación"
        case .segmento: "Segmento"
        case .etiqueta: "Etiqueta"
        case .tipoConvenio: "Tipo de convenio"
        case .conveniosIncumplidos: "Convenios incumplidos"
        case .asesor: "Asesor"
        case .entrada: "Entrada"
        case .criterioExclusion: "Criterio de exclusión"
        }
    }

    /// Every accepted header, besides `rawValue` and `spanish`.
    var otherNames: [String] {
        switch self {
        case .numeroCredito:
            ["Número de Crédito", "No. de crédito", "Núm. de crédito", "Num. crédito", "No. crédito", "Crédito", "Credito", "numero_credito"]
        case .acreditado: ["Acreditado(a)", "Nombre del acreditado", "Nombre del acreditado(a)", "Acreditada"]
        case .delegacion: ["Delegación Regional", "DR"]
        case .despacho: ["Agencia", "Agencia de Soluciones", "Despacho / Agencia", "Despacho o agencia"]
        case .fechaAsignacion: ["Fecha asignación", "Fecha de la asignación", "fecha_asignacion"]
        case .segmento: []
        case .etiqueta: ["Etiqueta de mediación"]
        case .tipoConvenio: ["Tipo convenio", "Tipo de convenio de mediación", "tipo_convenio"]
        case .conveniosIncumplidos:
            ["Convenios de mediación incumplidos", "Número de convenios incumplidos", "Incumplimientos", "convenios_incumplidos"]
        case .asesor: ["Asesor de soluciones", "Usuario del asesor", "Usuario asesor"]
        case .entrada: ["Entrada al servicio", "Tipo de entrada", "Anexo"]
        case .criterioExclusion: ["Criterio exclusión", "Exclusión", "Criterio", "criterio_exclusion"]
        }
    }

    /// The column a header names, however the spreadsheet writes it.
    static func named(_ header: String) -> AssignmentColumn? { byKey[TextKey.fold(header)] }

    private static let byKey: [String: AssignmentColumn] = {
        var table: [String: AssignmentColumn] = [:]
        for column in allCases {
            for name in [column.rawValue, column.spanish] + column.otherNames {
                let key = TextKey.fold(name)
                precondition(table[key] == nil || table[key] == column, "two columns are called \(name)")
                table[key] = column
            }
        }
        return table
    }()
}

/// Catalogue values as people write them.
enum AssignmentVocabulary {
    /// Other spellings of each value, besides its exact wording (which always works).
    static let segmentos: [Segmento: [String]] = [
        .cobranzaAdministrativa: ["CA", "Cobranza Admva", "Cobranza Administrativa y Recuperación de Cartera Vencida"],
        .recuperacionEspecializada: ["RE"],
    ]

    static let etiquetas: [Etiqueta: [String]] = [
        .susceptibleDeMediacion: ["Mediación", "Susceptible", "Susceptible a mediación"],
        .susceptibleDeRemediacion: ["Re-mediación", "Remediación", "Susceptible a re-mediación"],
    ]

    static let tiposConvenio: [TipoConvenio: [String]] = [
        .ratificado: ["Convenio de Mediación Ratificado", "Convenio Ratificado", "Mediación Ratificado"],
        .notarial: ["Convenio de Mediación Notarial", "Convenio Notarial", "Mediación Notarial"],
        .administrativo: ["Convenio de Mediación Administrativo", "Convenio Administrativo", "Mediación Administrativo"],
    ]

    static let criterios: [CriterioExclusion: [String]] = [
        .dosConveniosIncumplidos: [
            "Dos convenios de mediación incumplidos", "Dos convenios incumplidos", "2 convenios incumplidos",
            "Créditos con dos convenios de mediación incumplidos (se habría agotado la re-mediación)",
        ],
        .viviendaDAVI: [
            "DAVI", "Vivienda abandonada, invadida, vandalizada, no habitada o no localizada", "Vivienda abandonada",
            "Vivienda invadida", "Vivienda vandalizada", "Vivienda no habitada", "Vivienda no localizada",
        ],
        .reestructuraActiva: ["Reestructura activa"],
        .tercerizados: ["Tercerizados", "Crédito tercerizado"],
        .poolFideicomiso: ["Pool fideicomiso", "Pool de fideicomiso"],
        .noFacturanRenewall: ["No facturan Renewall", "No factura Renewall", "Sin facturación Renewall"],
        .prorrogaActiva: ["Prórroga activa"],
        .sinConvenioOSolucion: [
            "Sin convenio o solución disponible", "Sin convenio ni solución disponible", "Sin solución disponible",
        ],
        .demanda: ["Demanda", "Demanda o etapa procesal posterior", "Con demanda"],
        .cuentasDeAcompanamiento: ["Cuenta de Acompañamiento", "Acompañamiento"],
    ]

    static let entradas: [EntradaServicio: [String]] = [
        .asignacionMensual: ["G1", "Mensual", "Asignación", "Monthly"],
        .aSolicitud: ["A", "Anexo 1 A", "Anexo 1-A", "Anexo 1A", "A solicitud", "Solicitud", "Propuesta", "A5"],
        .recuperacionEspecializada: ["B", "Anexo 1 B", "Anexo 1-B", "Anexo 1B", "Recuperación Especializada", "RE", "B2"],
        .remediacion: ["C", "Anexo 1 C", "Anexo 1-C", "Anexo 1C", "Remediación", "Re-mediación", "C1"],
    ]

    /// Finds catalogue values by their folded spellings; remembers each text it was asked about
    /// (a file repeats the same few values thousands of times).
    struct Matcher<Value: Catalogo> {
        private let table: [String: Value]
        private var seen: [String: Value?] = [:]

        init(_ others: [Value: [String]]) {
            var table: [String: Value] = [:]
            for value in Value.allCases {
                for spelling in [value.rawValue] + (others[value] ?? []) {
                    let key = TextKey.fold(spelling)
                    precondition(table[key] == nil || table[key] == value, "\(spelling) names two values")
                    table[key] = value
                }
            }
            self.table = table
        }

        mutating func value(_ text: String) -> Value? {
            if let known = seen[text] { return known }
            let value = table[TextKey.fold(text)]
            seen[text] = value
            return value
        }
    }
}
