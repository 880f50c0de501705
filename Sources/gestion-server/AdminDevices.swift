import CommandLineSupport
import Foundation
import GestionServer
import SyncCore

/// `gestion-server admin device list|retire|revoke`.
enum AdminDevices {
    static let spec = CommandSpec(
        path: "gestion-server admin device",
        overview: "The device registry: list devices, retire one, or revoke a lost or stolen one.",
        arguments: [
            ("list", "Every device with its user, last sync and pending changes."),
            ("retire <client-id>", "The device uploads what it has at its next sync, then erases its replica."),
            ("revoke <client-id>", "Lost or stolen: its sessions stop at once; its replica erases itself at the next contact."),
        ],
        options: [
            ServerCommandLine.dataDirectoryOption,
            .value("user", "<name>", "list: only this user's devices."),
            .flag("json", "list: print JSON."),
        ] + AdminAuthorization.options
    )

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, options: spec.options)
        if parsed.wantsHelp { print(spec.help, terminator: ""); return ExitStatus.success }
        let positionals = parsed.positionals
        guard positionals.count >= 2 else { throw UsageError("Use 'admin device list', 'retire <client-id>' or 'revoke <client-id>'.") }
        let store = try ServerCommandLine.openStore(parsed)
        defer { store.close() }
        do {
            switch positionals[1] {
            case "list":
                _ = try AdminAuthorization.authorize(.deviceList, parsed: parsed, store: store)
                guard positionals.count == 2 else { throw UsageError("Unexpected argument '\(positionals[2])'.") }
                let devices = try store.devices(userID: parsed.values["user"])
                if parsed.flags.contains("json") {
                    print(JSONSerializer.string(try JSONValueEncoder().encode(devices)))
                } else if devices.isEmpty {
                    print("No devices.")
                } else {
                    print(pad("CLIENT ID", 38) + pad("USER", 18) + pad("STATUS", 10) + pad("LAST SYNC", 26) + pad("PENDING", 9) + "NAME")
                    for device in devices {
                        let pending = device.pendingCount.map(String.init) ?? "-"
                        let oldest = device.oldestPendingAt.map { " since " + RFC3339.string(from: $0) } ?? ""
                        print(
                            pad(device.clientId, 38) + pad(device.userId, 18) + pad(device.status.rawValue, 10)
                                + pad(device.lastSyncAt.map(RFC3339.string(from:)) ?? "never", 26) + pad(pending, 9)
                                + device.deviceName + oldest
                        )
                    }
                }
                return ExitStatus.success
            case "retire", "revoke":
                guard positionals.count == 3 else { throw UsageError("Give the device's client id (see 'admin device list').") }
                let actor = try AdminAuthorization.authorize(
                    positionals[1] == "retire" ? .deviceRetire : .deviceRevoke, parsed: parsed, store: store
                )
                let clientID = positionals[2]
                guard let device = try store.device(clientID: clientID) else {
                    throw CommandFailure("There is no device \(clientID) (see 'admin device list').")
                }
                let target: DeviceStatus = positionals[1] == "retire" ? .retiring : .revoked
                guard device.status == .active || (target == .revoked && device.status == .retiring) else {
                    throw CommandFailure("The device is already \(device.status.rawValue).")
                }
                let updated = try store.setDeviceStatus(
                    clientID: clientID, to: target, actor: actor.user, at: Date()
                )
                if target == .retiring {
                    print("Device \(clientID) of \(updated.userId) will upload what it has at its next sync, then erase its replica.")
                } else {
                    print("Device \(clientID) of \(updated.userId) is revoked: its sessions no longer work; it erases itself at its next contact.")
                    if let pending = device.pendingCount, pending > 0 {
                        print("It had reported \(pending) change(s) the server had not received: they are recorded as lost in the audit trail.")
                    }
                }
                return ExitStatus.success
            default:
                throw UsageError("Unknown device action '\(positionals[1])': use list, retire or revoke.")
            }
        } catch let error as SyncStoreError {
            throw CommandFailure(ServerCommandLine.describe(error))
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
