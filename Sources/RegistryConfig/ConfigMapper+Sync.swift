import Foundation
import RegistryCore

extension ConfigMapper {
    static let syncKeys = ["enable", "credentialsFile", "downloadDir", "registries", "maxDownloadBytes"]
    static let syncRegistryKeys = [
        "urls", "onDemand", "pollInterval", "tlsVerify", "certDir", "maxRetries", "retryDelay", "maxRetryDelay",
        "syncTimeout", "manifestCheckInterval", "onlySigned", "syncLegacyCosignTags", "preserveDigest", "reqConcurrent",
        "reqPerSec", "disableHTTP2", "maxIdleConnsPerHost", "content", "credentialHelper", "oauth2CredentialHelper",
    ]
    static let syncContentKeys = ["prefix", "destination", "stripPrefix", "tags", "allowTagUpdates"]

    /// `extensions.sync`: every key Zot knows is implemented or refused with a reason; unknown keys are errors.
    func mapSync(_ node: ConfigNode) -> SyncConfig? {
        guard let reader = ObjectReader(node, known: Self.syncKeys, collector: collector) else { return nil }
        var sync = SyncConfig()
        if let enable = reader.bool("enable") { sync.enable = enable }
        if let file = reader.string("credentialsFile") {
            sync.credentialsFile = file
            checkCredentialsFile(file, at: reader.path(of: "credentialsFile"))
        }
        if let directory = reader.string("downloadDir") {
            if directory.isEmpty || directory.utf8.contains(0) {
                collector.error(reader.path(of: "downloadDir"), "must be a directory path")
            } else {
                sync.downloadDir = directory
            }
        }
        if let node = reader.node("maxDownloadBytes"),
           let bytes = collector.integer(node, naming: "a byte count", in: 1...Int.max) {
            sync.maxDownloadBytes = Int64(bytes)
        }
        if let list = reader.node("registries").flatMap(collector.list) {
            sync.registries = list.compactMap(mapSyncRegistry)
        }
        if sync.enable && sync.registries.isEmpty {
            collector.notice(reader.path, "sync is enabled but lists no registries; nothing is mirrored")
        }
        return sync
    }

    private func mapSyncRegistry(_ node: ConfigNode) -> SyncRegistryConfig? {
        guard let reader = ObjectReader(node, known: Self.syncRegistryKeys, collector: collector) else { return nil }
        var registry = SyncRegistryConfig()
        for key in ["credentialHelper", "oauth2CredentialHelper"] where reader.contains(key) {
            collector.error(reader.path(of: key), "credential helpers (ecr, gcp, oauth2) are not implemented; use credentialsFile")
        }
        if let urlsNode = reader.node("urls"), let urls = collector.stringList(urlsNode) {
            for (index, url) in urls.enumerated() where !Self.isUpstreamURL(url) {
                collector.error(urlsNode.path.appending(index: index),
                                "\(ConfigPath.quote(url)) is not an upstream URL (expected http(s)://host[:port] without path, query or credentials)")
            }
            registry.urls = urls
            if urls.isEmpty { collector.error(urlsNode.path, "must list at least one URL") }
        } else if !reader.contains("urls") {
            collector.error(reader.path(of: "urls"), "is required")
        }
        if let onDemand = reader.bool("onDemand") { registry.onDemand = onDemand }
        if let tlsVerify = reader.bool("tlsVerify") { registry.tlsVerify = tlsVerify }
        if let onlySigned = reader.bool("onlySigned") { registry.onlySigned = onlySigned }
        if let legacy = reader.bool("syncLegacyCosignTags") { registry.syncLegacyCosignTags = legacy }
        if let disable = reader.bool("disableHTTP2") { registry.disableHTTP2 = disable }
        if let preserve = reader.bool("preserveDigest"), !preserve {
            collector.error(reader.path(of: "preserveDigest"),
                            "converting Docker manifests to OCI is not implemented: images are always stored with their upstream digest (remove the key or set it to true)")
        }
        registry.pollIntervalSeconds = syncDuration(reader, "pollInterval", positive: true)
        if let seconds = syncDuration(reader, "syncTimeout", positive: true) { registry.syncTimeoutSeconds = seconds }
        if let seconds = syncDuration(reader, "manifestCheckInterval", positive: false) {
            registry.manifestCheckIntervalSeconds = seconds
            if seconds > 0 && !registry.onDemand {
                collector.error(reader.path(of: "manifestCheckInterval"), "requires onDemand to be enabled")
            }
        }
        let retryDelay = syncDuration(reader, "retryDelay", positive: false)
        let maxRetryDelay = syncDuration(reader, "maxRetryDelay", positive: false)
        if let node = reader.node("maxRetries"), let retries = collector.integer(node, naming: "a retry count", in: 0...100) {
            registry.maxRetries = retries
            if retryDelay == nil && !reader.contains("retryDelay") {
                collector.error(reader.path(of: "retryDelay"), "is required when using maxRetries")
            }
        }
        if let retryDelay { registry.retryDelaySeconds = retryDelay }
        if let maxRetryDelay {
            registry.maxRetryDelaySeconds = maxRetryDelay
            if !reader.contains("retryDelay") {
                collector.error(reader.path(of: "retryDelay"), "is required when using maxRetryDelay")
            } else if let retryDelay, maxRetryDelay < retryDelay {
                collector.error(reader.path(of: "maxRetryDelay"), "must be greater than or equal to retryDelay")
            }
        }
        if let node = reader.node("reqConcurrent"),
           let value = collector.integer(node, naming: "a request count", in: 1...10_000) {
            registry.reqConcurrent = value
        }
        if let node = reader.node("reqPerSec"), let value = collector.positiveNumber(node, naming: "a request rate") {
            registry.reqPerSec = value
        }
        if let node = reader.node("maxIdleConnsPerHost"),
           let value = collector.integer(node, naming: "a connection count", in: 1...10_000) {
            registry.maxIdleConnsPerHost = value
        }
        if let certDir = reader.string("certDir") {
            registry.certDir = certDir
            checkCertDirectory(certDir, at: reader.path(of: "certDir"))
        }
        if let list = reader.node("content").flatMap(collector.list) {
            registry.content = list.compactMap(mapSyncContent)
        }
        return registry
    }

    private func mapSyncContent(_ node: ConfigNode) -> SyncContentConfig? {
        guard let reader = ObjectReader(node, known: Self.syncContentKeys, collector: collector),
              let prefix = reader.requiredString("prefix") else { return nil }
        if DoublestarPattern(prefix) == nil {
            collector.error(reader.path(of: "prefix"), "\(ConfigPath.quote(prefix)) is not a valid glob pattern")
        }
        var content = SyncContentConfig(prefix: prefix)
        if let destination = reader.string("destination") {
            let trimmed = destination.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if !trimmed.isEmpty && !RepositoryName.isValid(trimmed) {
                collector.error(reader.path(of: "destination"), "\(ConfigPath.quote(destination)) is not a repository path")
            }
            content.destination = destination
        }
        if let strip = reader.bool("stripPrefix") { content.stripPrefix = strip }
        if let allow = reader.bool("allowTagUpdates") { content.allowTagUpdates = allow }
        if content.stripPrefix && !prefix.contains("/*") && content.destination == "/" {
            collector.error(reader.path(of: "stripPrefix"),
                            "can not use stripPrefix true and destination \"/\" without using glob patterns in prefix")
        }
        if let tags = reader.object("tags", known: ["regex", "excludeRegex", "semver"]) {
            var filter = SyncTagsConfig()
            for key in ["regex", "excludeRegex"] {
                guard let pattern = tags.string(key) else { continue }
                if (try? NSRegularExpression(pattern: pattern)) == nil {
                    collector.error(tags.path(of: key), "\(ConfigPath.quote(pattern)) is not a regular expression")
                }
                if key == "regex" { filter.regex = pattern } else { filter.excludeRegex = pattern }
            }
            filter.semver = tags.bool("semver")
            content.tags = filter
        }
        return content
    }

    private func syncDuration(_ reader: ObjectReader, _ key: String, positive: Bool) -> Double? {
        guard let node = reader.node(key), let text = collector.string(node) else { return nil }
        guard let seconds = GoDuration.seconds(text), !positive || seconds > 0 else {
            collector.error(node.path, "\(node.quoted) is not a duration\(positive ? " greater than 0" : "") (expected a Go duration like \"1h\", \"30m\" or \"10s\")")
            return nil
        }
        return seconds
    }

    private func checkCredentialsFile(_ path: String, at configPath: ConfigPath) {
        guard collector.checksFiles else { return }
        if let problem = NetworkSyntax.fileProblem(path) {
            collector.error(configPath, problem)
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            collector.error(configPath, "file \(ConfigPath.quote(path)) is not readable")
            return
        }
        do {
            _ = try UpstreamCredentials.parse(Array(data))
        } catch {
            collector.error(configPath, "file \(ConfigPath.quote(path)): \(error.reason)")
        }
    }

    private func checkCertDirectory(_ path: String, at configPath: ConfigPath) {
        guard collector.checksFiles else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            collector.error(configPath, "\(ConfigPath.quote(path)) is not a directory")
            return
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for certificate in files where certificate.hasSuffix(".cert") {
            let key = String(certificate.dropLast(5)) + ".key"
            if !files.contains(key) { collector.error(configPath, "client certificate \(certificate) has no \(key)") }
        }
    }

    /// `http(s)://host[:port]` (a trailing `/` allowed), without user info, path, query or fragment.
    static func isUpstreamURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.user == nil, components.password == nil, components.query == nil, components.fragment == nil,
              components.path.isEmpty || components.path == "/" else {
            return false
        }
        return true
    }
}
