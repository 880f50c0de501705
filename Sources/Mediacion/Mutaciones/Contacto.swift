import Foundation
import SyncCore

/// G4 / G16: the privacy notice (*aviso de privacidad*) was shown to the borrower. Contact data may
/// be recorded from then on. The earliest recorded time counts, whatever order devices sync in.
public struct RegistrarAvisoPrivacidad: MutacionMediacion {
    public static let name = "registrarAvisoPrivacidad"
    public static let summary = "The aviso de privacidad was shown to the borrower (G4)."
    public static let allowedRoles: Set<String> = .roles(.asesor, .mediador)
    public static let worksOffline = true
    public static let ficha = Ficha(
        "G4, G16", precondiciones: ["the account exists", "a mediator: the account's current case is distributed to it"],
        datos: ["numeroCredito", "the time shown is the action's time (the earliest counts)"]
    )

    public var numeroCredito: String

    public init(numeroCredito: String) {
        self.numeroCredito = numeroCredito
    }

    public func conflictTargets() -> [RecordKey] { [DatosContacto.key(numeroCredito)] }
    public static var conflictCollections: Set<String> { [DatosContacto.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        let cuenta = try records.cuenta(numeroCredito)
        try records.exigirMediadorAsignado(cuenta, context)
        var contacto = try records.read(DatosContacto.self, numeroCredito) ?? DatosContacto(numeroCredito: numeroCredito)
        if let mostrado = contacto.avisoPrivacidadMostrado, mostrado <= context.occurredAt { return .applied }
        contacto.avisoPrivacidadMostrado = context.occurredAt
        records.write(contacto)
        return .applied
    }
}

/// G4: the borrower's landline, mobile and e-mail. Only after the privacy notice was shown.
/// Fields left out keep their value. Each field is last-writer-wins by hybrid clock: two devices
/// that edit the same field offline converge on the later edit, and the losing value is kept in
/// the history.
public struct RegistrarDatosContacto: MutacionMediacion {
    public static let name = "registrarDatosContacto"
    public static let summary = "Record or correct the borrower's contact data, after the aviso de privacidad (G4)."
    public static let allowedRoles: Set<String> = .roles(.asesor, .mediador)
    public static let worksOffline = true
    public static let ficha = Ficha(
        "G4",
        precondiciones: [
            "the account exists", "the aviso de privacidad was shown", "at least one field",
            "a mediator: the account's current case is distributed to it",
        ],
        datos: [
            "numeroCredito", "telefonoFijo (10 digits)", "telefonoCelular (10 digits)", "correoElectronico",
            "each field last-writer-wins by hybrid clock",
        ]
    )

    public var numeroCredito: String
    public var telefonoFijo: String?
    public var telefonoCelular: String?
    public var correoElectronico: String?

    public init(
        numeroCredito: String, telefonoFijo: String? = nil, telefonoCelular: String? = nil,
        correoElectronico: String? = nil
    ) {
        self.numeroCredito = numeroCredito
        self.telefonoFijo = telefonoFijo
        self.telefonoCelular = telefonoCelular
        self.correoElectronico = correoElectronico
    }

    public func conflictTargets() -> [RecordKey] { [DatosContacto.key(numeroCredito)] }
    public static var conflictCollections: Set<String> { [DatosContacto.collection] }

    public func apply(_ context: MutationContext, _ records: inout RecordWriter) throws -> MutationOutcome {
        let cuenta = try records.cuenta(numeroCredito)
        guard telefonoFijo != nil || telefonoCelular != nil || correoElectronico != nil else {
            throw Rechazo.sinDatosDeContacto()
        }
        try records.exigirMediadorAsignado(cuenta, context)
        let key = DatosContacto.key(numeroCredito)
        guard let anterior = try records.record(key), try DatosContacto(body: anterior).avisoPrivacidadMostrado != nil else {
            throw Rechazo.avisoPrivacidadPendiente()
        }
        var valores: [(String, String)] = []
        if let telefonoFijo { valores.append(("telefonoFijo", try Formato.telefono("telefonoFijo", telefonoFijo))) }
        if let telefonoCelular { valores.append(("telefonoCelular", try Formato.telefono("telefonoCelular", telefonoCelular))) }
        if let correoElectronico { valores.append(("correoElectronico", try Formato.correo(correoElectronico))) }

        var body = anterior
        var nota = Anotacion(casoId: try records.read(Caso.self, cuenta.casoActual)?.id, numeroCredito: numeroCredito)
        var perdio = false
        for (campo, valor) in valores {
            switch FieldStamps.set(campo, to: .string(valor), stamp: context.stamp, in: &body) {
            case .won(let previous):
                if let previo = previous?.stringValue, previo != valor { nota.reemplazados[campo] = previo }
            case .lost(let kept):
                perdio = true
                nota.perdidos[campo] = valor
                if let vigente = kept?.stringValue { nota.detalle["\(campo).vigente"] = vigente }
            }
        }
        if body != anterior { records.put(key, body) }
        // The change log attributes every write; the history keeps what a write overwrote or lost.
        if !nota.reemplazados.isEmpty || !nota.perdidos.isEmpty {
            records.anotar(context, accion: Self.name, descripcion: Self.summary, nota)
        }
        return perdio
            ? MutationOutcome(
                resolution: "A later change to the same contact data on another device was kept; this value is in the history."
            )
            : .applied
    }
}

extension RecordWriter {
    /// A mediator acts only on accounts whose current case was distributed to it (G5–G6).
    func exigirMediadorAsignado(_ cuenta: Cuenta, _ context: MutationContext) throws {
        guard context.author.role == Rol.mediador.rawValue else { return }
        guard let caso = try read(Caso.self, cuenta.casoActual), caso.mediador == context.author.userID else {
            throw Rechazo.mediadorNoAsignado()
        }
    }
}
