import Foundation
import GestionProtocol
import SyncCore
import Testing

@testable import GestionServer

/// The pull answer is built without the `Codable` encoder (for speed): its bytes must be exactly
/// those `WireCoding.encode` writes.
@Suite struct PullWireEncodingTests {
    static let body: JSONObject = [
        "numeroCredito": "1000000001", "estado": "En Mediación", "reprogramaciones": .int(0), "activo": .bool(true),
        "fechas": .object(["aceptacion": "2026-11-27T16:00:00.000Z"]), "lista": .array([.int(1), .string("dos \"tres\"\n"), .null]),
        "monto": .double(1234.5),
    ]

    static let responses: [PullResponse] = {
        let empty = PullResponse(
            changeSets: [], cursor: 0, hasMore: false, lastMutationId: 0, results: [], serverId: "s", serverTime: Date(timeIntervalSince1970: 0)
        )
        var full = PullResponse(
            changeSets: [
                ChangeSet(
                    version: 7,
                    changes: [
                        RecordChange(key: RecordKey("casos", "1000000001-1"), body: body),
                        RecordChange(key: RecordKey("contactos", "1000000001"), body: nil),
                        .evict(RecordKey("cuentas", "1000000002")),
                    ]
                ),
                ChangeSet(version: 9, changes: [RecordChange(key: RecordKey("ajustes", "plazos"), body: [:])]),
            ],
            cursor: 9, hasMore: true, lastMutationId: Int64.max, results: [
                MutationResult(id: 3, status: .rejected, code: "out_of_scope", message: "Fuera de su alcance: ñ ü \u{1}"),
                MutationResult(id: 4, status: .applied, resolution: "Sent to review", version: 8, duplicate: true),
                MutationResult(id: 5, status: .applied),
            ], serverId: "0f0e-ñ", serverTime: Date(timeIntervalSince1970: 1_795_795_200.123_456)
        )
        full.device = .retire
        var active = empty
        active.device = .active
        return [empty, full, active]
    }()

    @Test(arguments: responses)
    func writesTheSameBytesAsTheCodableEncoder(_ response: PullResponse) {
        #expect(JSONSerializer.bytes(response.wireValue) == WireCoding.encode(response))
    }
}
