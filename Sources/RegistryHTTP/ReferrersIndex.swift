import Foundation
import RegistryCore

/// The image index the referrers API answers with.
struct ReferrersIndex: Encodable {
    let schemaVersion = 2
    let mediaType = MediaType.ociIndex
    let manifests: [Descriptor]

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}
