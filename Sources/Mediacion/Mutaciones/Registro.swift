import Foundation
import SyncCore

/// The mutations of the mediation workflow, registered for client and server alike.
public enum Mediacion {
    /// Every mutation the domain knows.
    public static let mutaciones: [any Mutation.Type] = [
        ImportarCuenta.self,
        RegistrarAceptacion.self,
        RegistrarNoAceptacion.self,
        RegistrarAvisoPrivacidad.self,
        RegistrarDatosContacto.self,
        AgendarSesion.self,
    ]

    /// The registry both the device and the server run.
    public static let registry: MutationRegistry = {
        var registry = MutationRegistry()
        for mutacion in mutaciones { registry.register(mutacion) }
        return registry
    }()

    /// The collections a replica holds.
    public static let colecciones = [Cuenta.collection, DatosContacto.collection, Caso.collection, Sesion.collection]
}

extension Set where Element == String {
    static func roles(_ roles: Rol...) -> Set<String> { Set(roles.map(\.rawValue)) }
}

extension RecordWriter {
    /// The account, or the refusal that it does not exist.
    func cuenta(_ numeroCredito: String) throws -> Cuenta {
        try Formato.numeroCredito(numeroCredito)
        guard let cuenta = try read(Cuenta.self, numeroCredito) else { throw Rechazo.cuentaNoExiste() }
        return cuenta
    }

    /// The case of the account's current round, or the refusal that there is none.
    func casoActual(_ numeroCredito: String) throws -> (Cuenta, Caso) {
        let cuenta = try cuenta(numeroCredito)
        guard let caso = try read(Caso.self, cuenta.casoActual) else { throw Rechazo.casoNoExiste() }
        return (cuenta, caso)
    }
}
