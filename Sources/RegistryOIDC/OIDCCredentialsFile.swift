import Foundation

/// Zot's `credentialsFile` for an OpenID provider: `{"clientid": "…", "clientsecret": "…"}`.
public enum OIDCCredentialsFile {
    private struct Contents: Decodable {
        let clientid: String
        let clientsecret: String
    }

    /// Reads the client id and secret from `path`. Errors name the file, never its contents.
    public static func load(path: String) throws(OIDCError) -> (clientID: String, clientSecret: String) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .configuration("cannot read credentials file \(path)")
        }
        guard let contents = try? JSONDecoder().decode(Contents.self, from: data) else {
            throw .configuration("credentials file \(path) is not a JSON object with string 'clientid' and 'clientsecret'")
        }
        guard !contents.clientid.isEmpty else { throw .configuration("credentials file \(path) has an empty 'clientid'") }
        return (contents.clientid, contents.clientsecret)
    }
}
