import NIOCore
import RegistryOIDC

extension AsyncOIDCHTTPClient {
    /// A client that trusts exactly the CA configured for `issuer` (`certificateAuthorityFile` and/or
    /// `certificateAuthority`), or the system roots when none is configured.
    public convenience init(trustingCAOf issuer: BearerIssuerSettings, timeout: TimeAmount = .seconds(10)) throws {
        try self.init(caCertificatePEMFile: issuer.certificateAuthorityFile, caCertificatePEM: issuer.certificateAuthority, timeout: timeout)
    }
}
