import RegistryAuth
import RegistryConfig

extension MTLSConfig {
    /// `uriSanIndex`, `dnsSanIndex` and `emailSanIndex` as the authenticator takes them.
    var sanIndices: MTLSSANIndices {
        MTLSSANIndices(uri: uriSanIndex, dns: dnsSanIndex, email: emailSanIndex)
    }
}
