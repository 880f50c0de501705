import Foundation

// Closed lists of the mediation service (DOMAIN.md §6). The raw values are written exactly as
// the institution writes them: they appear in reports and on screens as they are here.

/// System roles (DOMAIN.md §2). The representante del Infonavit has no login.
public enum Rol: String, Codable, Sendable, CaseIterable {
    /// Asesor de Soluciones: field collector, visits borrowers.
    case asesor
    /// Agencia de Soluciones: approves and distributes accounts, follows first payments.
    case agencia
    /// Mediador: schedules and holds sessions, signs convenios.
    case mediador
    /// Gerente de Cobranza of a Delegación Regional.
    case delegacion
    /// Gerencia de Operación de Cobranza / de Soluciones: assignment, automatic closures.
    case operacion
    /// Gerencia de Mediación y Convenios: settings, review of flagged conflicts.
    case mediacion

    /// The institution's name of the role.
    public var nombre: String {
        switch self {
        case .asesor: "Asesor de Soluciones"
        case .agencia: "Agencia de Soluciones"
        case .mediador: "Mediador"
        case .delegacion: "Gerente de Cobranza de Delegación Regional"
        case .operacion: "Gerencia de Operación de Cobranza"
        case .mediacion: "Gerencia de Mediación y Convenios"
        }
    }
}

/// Segment of the account at assignment.
public enum Segmento: String, Catalogo {
    case cobranzaAdministrativa = "Cobranza Administrativa"
    case recuperacionEspecializada = "Recuperación Especializada"
}

/// Label that makes an account eligible for the service.
public enum Etiqueta: String, Catalogo {
    case susceptibleDeMediacion = "susceptible de mediación"
    case susceptibleDeRemediacion = "susceptible de re-mediación"
}

/// Convenio types (§6.2), decided at assignment.
public enum TipoConvenio: String, Catalogo {
    case ratificado = "Ratificado"
    case notarial = "Notarial"
    case administrativo = "Administrativo"
}

/// How the convocation to a session was sent (G11): in writing, with evidence kept.
public enum MedioConvocatoria: String, Catalogo {
    case correoElectronico = "Correo electrónico"
    case mensajeSMS = "Mensaje SMS"
    case whatsapp = "Whatsapp"
}

/// Status of a mediation case (one round of one account).
public enum EstatusCaso: String, Catalogo {
    /// The borrower accepted mediation (G4). The status the institution names “En Mediación”.
    case enMediacion = "En Mediación"
    /// The borrower did not accept mediation (G3): end of the round.
    case mediacionNoAceptada = "Mediación no aceptada"
    /// The mediator recorded the date and time of a session (G11).
    case sesionAgendada = "Sesión agendada"

    /// Whether the round is over.
    public var isFinal: Bool {
        switch self {
        case .mediacionNoAceptada: true
        case .enMediacion, .sesionAgendada: false
        }
    }
}

/// A closed list whose values are written as the institution writes them. Decoding an unknown
/// value fails with a message that lists the valid ones.
public protocol Catalogo: RawRepresentable, Codable, Sendable, CaseIterable, Hashable where RawValue == String {}

extension Catalogo {
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "must be one of \(Self.catalogueList)")
            )
        }
        self = value
    }

    /// The catalogue's values as people read them: `"Ratificado", "Notarial" or "Administrativo"`.
    public static var catalogueList: String {
        let values = allCases.map { "\"\($0.rawValue)\"" }
        guard values.count > 1 else { return values.first ?? "" }
        return values.dropLast().joined(separator: ", ") + " or " + values.last!
    }
}
