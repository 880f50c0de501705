import Foundation
import SyncCore

/// G5 (note): the agency's registry relating each mediator to its app licence number, so that
/// the mediator in charge of each account is known; with its certification (*Ratificado*) and
/// whether it is a notario (*Notarial*). Needs the server: a licence number is unique.
public struct RegistrarMediador: MutacionMediacion {
    public static let name = "registrarMediador"
    public static let summary = "Register a mediator with its app licence number and certification (G5)."
    public static let allowedRoles: Set<String> = .roles(.agencia)
    public static let worksOffline = false
    public static let ficha = Ficha(
        "G5 (nota)",
        precondiciones: ["the licence number is not assigned to another mediator", "certified: a certificate number"],
        datos: [
            "usuario (the mediator's user id)", "nombre", "numeroLicencia", "certificado", "numeroCertificado (optional)",
            "notario (optional)",
        ]
    )

    public var usuario: String
    public var nombre: String
    public var numeroLicencia: String
    public var certificado: Bool
    public var numeroCertificado: String?
    public var notario: Bool?

    public init(
        usuario: String, nombre: String, numeroLicencia: String, certificado: Bool, numeroCertificado: String? = nil,
        notario: Bool? = nil
    ) {
        self.usuario = usuario
        self.nombre = nombre
        self.numeroLicencia = numeroLicencia
        self.certificado = certificado
        self.numeroCertificado = numeroCertificado
        self.notario = notario
    }

    public func conflictTargets() -> [RecordKey] { [Mediador.key(usuario), Licencia.key(numeroLicencia)] }
    public static var conflictCollections: Set<String> { [Mediador.collection, Licencia.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        for (campo, valor) in [("usuario", usuario), ("nombre", nombre), ("numeroLicencia", numeroLicencia)]
        where valor.trimmingCharacters(in: .whitespaces).isEmpty {
            throw Rechazo.datoInvalido(campo, "must not be empty")
        }
        if certificado && (numeroCertificado ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw Rechazo.datoInvalido("numeroCertificado", "a certified mediator needs its certificate number")
        }
        if let licencia = try records.read(Licencia.self, numeroLicencia), licencia.mediador != usuario {
            throw Rechazo.licenciaDuplicada()
        }
        let anterior = try records.read(Mediador.self, usuario)
        if let anterior, anterior.numeroLicencia != numeroLicencia { records.delete(Licencia.key(anterior.numeroLicencia)) }
        let mediador = Mediador(
            usuario: usuario, nombre: nombre, numeroLicencia: numeroLicencia, certificado: certificado,
            numeroCertificado: certificado ? numeroCertificado : nil, notario: notario ?? false,
            agencia: context.author.userID, registrado: anterior?.registrado ?? context.occurredAt
        )
        if var igual = anterior {
            igual.agencia = mediador.agencia
            if igual == mediador { return .applied }
        }
        records.write(mediador)
        records.write(Licencia(numeroLicencia: numeroLicencia, mediador: usuario))
        return .applied
    }
}

/// G7: the agency registers an Infonavit representative for the sessions, with its contact data
/// and whether it holds legal representation powers.
public struct RegistrarRepresentante: MutacionMediacion {
    public static let name = "registrarRepresentante"
    public static let summary = "Register an Infonavit representative for the sessions, with its legal powers (G7)."
    public static let allowedRoles: Set<String> = .roles(.agencia)
    public static let worksOffline = true
    public static let ficha = Ficha(
        "G7", precondiciones: ["contact data well formed"],
        datos: [
            "clave (the agency's key)", "nombre", "telefono (optional)", "correoElectronico (optional)", "poderesLegales",
            "instrumentoPoderes (optional)",
        ]
    )

    public var clave: String
    public var nombre: String
    public var telefono: String?
    public var correoElectronico: String?
    public var poderesLegales: Bool
    public var instrumentoPoderes: String?

    public init(
        clave: String, nombre: String, telefono: String? = nil, correoElectronico: String? = nil, poderesLegales: Bool,
        instrumentoPoderes: String? = nil
    ) {
        self.clave = clave
        self.nombre = nombre
        self.telefono = telefono
        self.correoElectronico = correoElectronico
        self.poderesLegales = poderesLegales
        self.instrumentoPoderes = instrumentoPoderes
    }

    public func conflictTargets() -> [RecordKey] { [Representante.key(clave)] }
    public static var conflictCollections: Set<String> { [Representante.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        for (campo, valor) in [("clave", clave), ("nombre", nombre)] where valor.trimmingCharacters(in: .whitespaces).isEmpty {
            throw Rechazo.datoInvalido(campo, "must not be empty")
        }
        let representante = Representante(
            clave: clave, nombre: nombre, telefono: try telefono.map { try Formato.telefono("telefono", $0) },
            correoElectronico: try correoElectronico.map(Formato.correo), poderesLegales: poderesLegales,
            instrumentoPoderes: instrumentoPoderes, agencia: context.author.userID,
            registrado: try records.read(Representante.self, clave)?.registrado ?? context.occurredAt
        )
        guard representante != (try records.read(Representante.self, clave)) else { return .applied }
        records.write(representante)
        return .applied
    }
}

/// G5: the agency approves a case the asesor recorded “En Mediación” (daily).
public struct AprobarCaso: MutacionDeCaso {
    public static let name = "aprobarCaso"
    public static let summary = "The agency approves an accepted case (G5)."
    public static let allowedRoles: Set<String> = .roles(.agencia)
    public static let worksOffline = true
    public static let evento = EventoCaso.aprobacion
    public static let ficha = Ficha(
        "G5", datos: ["numeroCredito", "ronda (optional)"], plazo: "daily: by diasAprobacionAgencia after the acceptance (alert)"
    )

    public var numeroCredito: String
    public var ronda: Int?

    public init(numeroCredito: String, ronda: Int? = nil) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        paso.caso.agencia = paso.context.author.userID
        paso.caso.fechaAprobacion = paso.context.occurredAt
    }
}

/// G5: the agency finds the asesor's record not valid and does not approve it. The round ends.
public struct NoAprobarCaso: MutacionDeCaso {
    public static let name = "noAprobarCaso"
    public static let summary = "The agency does not approve an accepted case: the record was not valid (G5)."
    public static let allowedRoles: Set<String> = .roles(.agencia)
    public static let worksOffline = true
    public static let evento = EventoCaso.noAprobacion
    public static let ficha = Ficha("G5", precondiciones: ["a reason"], datos: ["numeroCredito", "ronda (optional)", "motivo"])

    public var numeroCredito: String
    public var ronda: Int?
    public var motivo: String

    public init(numeroCredito: String, ronda: Int? = nil, motivo: String) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.motivo = motivo
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        guard !motivo.trimmingCharacters(in: .whitespaces).isEmpty else { throw Rechazo.datoInvalido("motivo", "must not be empty") }
        paso.caso.agencia = paso.context.author.userID
        paso.caso.motivoNoAprobacion = motivo
    }
}

/// G5: the agency distributes an approved case to a registered mediator (daily). From then on
/// only that mediator acts on it.
public struct DistribuirCaso: MutacionDeCaso {
    public static let name = "distribuirCaso"
    public static let summary = "The agency distributes an approved case to a mediator (G5)."
    public static let allowedRoles: Set<String> = .roles(.agencia)
    public static let worksOffline = true
    public static let evento = EventoCaso.distribucion
    public static let ficha = Ficha(
        "G5", precondiciones: ["the mediator is in the agency's registry with an app licence number"],
        datos: ["numeroCredito", "ronda (optional)", "mediador (user id)"],
        plazo: "starts diasPrimerContacto (G8: first contact the same or the next day, alert)"
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var mediador: String

    public init(numeroCredito: String, ronda: Int? = nil, mediador: String) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.mediador = mediador
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        guard try paso.records.read(Mediador.self, mediador) != nil else { throw Rechazo.mediadorNoRegistrado() }
        paso.caso.mediador = mediador
        paso.caso.fechaDistribucion = paso.context.occurredAt
        paso.anotar("mediador", mediador)
    }
}

/// G5: the agency redistributes a case to another registered mediator. The sessions already
/// scheduled stay; the previous mediator may no longer act on the case.
public struct RedistribuirCaso: MutacionDeCaso {
    public static let name = "redistribuirCaso"
    public static let summary = "The agency redistributes a case to another mediator (G5)."
    public static let allowedRoles: Set<String> = .roles(.agencia)
    public static let worksOffline = true
    public static let evento = EventoCaso.redistribucion
    public static let ficha = Ficha(
        "G5", precondiciones: ["the mediator is registered", "another mediator than the current one"],
        datos: ["numeroCredito", "ronda (optional)", "mediador (user id)"]
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var mediador: String

    public init(numeroCredito: String, ronda: Int? = nil, mediador: String) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.mediador = mediador
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        guard try paso.records.read(Mediador.self, mediador) != nil else { throw Rechazo.mediadorNoRegistrado() }
        guard paso.caso.mediador != mediador else {
            throw Rechazo.datoInvalido("mediador", "the case is already distributed to that mediator")
        }
        if let anterior = paso.caso.mediador { paso.anotar("mediadorAnterior", anterior) }
        paso.anotar("mediador", mediador)
        paso.caso.mediador = mediador
        paso.caso.fechaDistribucion = paso.context.occurredAt
        paso.caso.redistribuciones += 1
    }
}

/// G7: the agency designates the Infonavit representative for the case's sessions. A
/// representative without legal powers only for *Administrativo* convenios.
public struct DesignarRepresentante: MutacionDeCaso {
    public static let name = "designarRepresentante"
    public static let summary = "The agency designates the Infonavit representative for the case's sessions (G7)."
    public static let allowedRoles: Set<String> = .roles(.agencia)
    public static let worksOffline = true
    public static let evento = EventoCaso.designacionRepresentante
    public static let ficha = Ficha(
        "G7",
        precondiciones: [
            "the representative is registered",
            "legal powers unless the account's convenio type is “Administrativo”",
        ],
        datos: ["numeroCredito", "ronda (optional)", "representante (key)"]
    )

    public var numeroCredito: String
    public var ronda: Int?
    public var representante: String

    public init(numeroCredito: String, ronda: Int? = nil, representante: String) {
        self.numeroCredito = numeroCredito
        self.ronda = ronda
        self.representante = representante
    }

    public func efectuar(_ paso: inout PasoDeCaso) throws {
        guard let registro = try paso.records.read(Representante.self, representante) else {
            throw Rechazo.representanteNoRegistrado()
        }
        guard registro.poderesLegales || paso.cuenta.tipoConvenio == .administrativo else {
            throw Rechazo.representanteSinPoderes(paso.cuenta.tipoConvenio)
        }
        guard paso.caso.representante != representante else {
            paso.sinCambios = true
            return
        }
        paso.caso.representante = representante
        paso.anotar("representante", representante)
    }
}
