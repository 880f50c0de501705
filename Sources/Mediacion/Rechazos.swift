import Foundation

import SyncCore

/// Every refusal of the mediation rules, with its stable code and a message a field supervisor
/// understands. Messages never carry personal data (names, phones, e-mails).
public enum Rechazo {
    public static func cuentaNoExiste() -> MutationRejection {
        MutationRejection(
            code: "cuenta_no_existe",
            message: "The account is not in Gestión Móvil: check the credit number or wait for the monthly assignment."
        )
    }

    public static func yaRegistrado(_ estatus: EstatusCaso) -> MutationRejection {
        MutationRejection(
            code: "respuesta_ya_registrada",
            message: "The borrower's answer for this round is already recorded (status “\(estatus.rawValue)”)."
        )
    }

    public static func casoNoExiste() -> MutationRejection {
        MutationRejection(
            code: "caso_no_existe",
            message: "The borrower has not accepted mediation for this account, so there is no case to act on."
        )
    }

    public static func estatusNoPermite(_ estatus: EstatusCaso, accion: String) -> MutationRejection {
        MutationRejection(
            code: "estatus_no_permite",
            message: "A case with status “\(estatus.rawValue)” does not allow \(accion)."
        )
    }

    public static func avisoPrivacidadPendiente() -> MutationRejection {
        MutationRejection(
            code: "aviso_privacidad_pendiente",
            message: "Contact data may only be recorded after the aviso de privacidad was shown to the borrower."
        )
    }

    public static func datoInvalido(_ campo: String, _ explicacion: String) -> MutationRejection {
        MutationRejection(code: "dato_invalido", message: "\(campo): \(explicacion).")
    }

    public static func sinDatosDeContacto() -> MutationRejection {
        MutationRejection(
            code: "dato_invalido",
            message: "Give at least one of telefonoFijo, telefonoCelular or correoElectronico."
        )
    }

    public static func sesionYaAgendada() -> MutationRejection {
        MutationRejection(
            code: "sesion_ya_agendada",
            message: "A session is already scheduled for this case."
        )
    }

    public static func fechaFueraDePlazo(dias: Int) -> MutationRejection {
        MutationRejection(
            code: "fecha_fuera_de_plazo",
            message: "The session must take place within \(dias) calendar days of the acceptance of mediation."
        )
    }

    public static func fechaEnElPasado() -> MutationRejection {
        MutationRejection(
            code: "fecha_en_el_pasado",
            message: "The session date is before the day it was recorded."
        )
    }

}

/// Checks of the formats the institution uses.
enum Formato {
    /// A credit number: exactly ten digits.
    static func numeroCredito(_ value: String) throws(MutationRejection) {
        guard value.utf8.count == 10, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw Rechazo.datoInvalido("numeroCredito", "a credit number has exactly 10 digits")
        }
    }

    /// A Mexican phone number: ten digits (spaces and dashes allowed and removed).
    static func telefono(_ campo: String, _ value: String) throws(MutationRejection) -> String {
        let digits = value.filter { $0 != " " && $0 != "-" }
        guard digits.utf8.count == 10, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw Rechazo.datoInvalido(campo, "a phone number has 10 digits")
        }
        return digits
    }

    /// An e-mail address: one @, a local part, a domain with a dot, no spaces, at most 254 characters.
    static func correo(_ value: String) throws(MutationRejection) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !trimmed.contains(where: \.isWhitespace)
        else {
            throw Rechazo.datoInvalido("correoElectronico", "not a valid e-mail address")
        }
        return trimmed
    }
}
