import Mediacion
import SyncCore

/// Fuzz target: the arguments of every mutation of the mediation registry, as the server and
/// the devices decode them from a push (`{"name": ..., "args": {...}}`).
///
/// Checks, for any bytes: no crash or memory error while decoding the arguments of the named
/// mutation — and of every other registered mutation, so each decoder sees every shape — and
/// computing the records it would touch.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMutationArguments(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard case .object(let envelope)? = try? JSONParser.parse(bytes), case .object(let arguments)? = envelope["args"] else {
        return 0
    }
    let registry = Mediacion.registry
    if let name = envelope["name"]?.stringValue {
        _ = registry.conflictTargets(name: name, arguments: arguments)
    }
    for name in registry.definitions.keys {
        _ = registry.conflictTargets(name: name, arguments: arguments)
    }
    return 0
}
