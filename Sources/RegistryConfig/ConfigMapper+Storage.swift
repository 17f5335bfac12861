extension ConfigMapper {
    /// `storage` (and each `storage.subPaths` entry): rootDirectory is required; durations are Go syntax.
    func mapStorage(_ parent: ObjectReader, key: String, allowSubPaths: Bool) -> StorageConfig? {
        var known = ["rootDirectory", "dedupe", "commit", "gc", "gcDelay", "gcInterval", "gcTimeWindow", "retention", "remoteCache",
                     "storageDriver"]
        if allowSubPaths { known.append("subPaths") }
        guard parent.node(key) != nil else {
            collector.error(parent.path(of: key).appending(key: "rootDirectory"), "is required")
            return nil
        }
        guard let reader = parent.object(key, known: known,
                                         ignored: ["cacheDriver": "a remote cache is not implemented"]) else {
            return nil
        }
        let rootDirectory = reader.requiredString("rootDirectory")
        if let rootDirectory, rootDirectory.utf8.contains(0) {
            collector.error(reader.path(of: "rootDirectory"), "contains a NUL character")
        }
        var storage = StorageConfig(rootDirectory: rootDirectory ?? "")
        storage.dedupe = reader.bool("dedupe") ?? true
        storage.commit = reader.bool("commit") ?? false
        storage.gc = reader.bool("gc") ?? true
        storage.remoteCache = reader.bool("remoteCache") ?? false
        if storage.remoteCache {
            collector.notice(reader.path(of: "remoteCache"), "accepted for Zot compatibility but ignored: metadata is kept in the embedded database of this instance")
        }
        if let (text, seconds) = duration(reader, "gcDelay") {
            storage.gcDelay = text
            storage.gcDelaySeconds = seconds
        }
        if let (text, seconds) = duration(reader, "gcInterval") {
            storage.gcInterval = text
            storage.gcIntervalSeconds = seconds
        }
        storage.gcTimeWindow = mapGCTimeWindow(reader)
        storage.retention = mapRetention(reader, gcDelay: storage.gcDelaySeconds ?? 3600)
        if let driver = reader.node("storageDriver") {
            storage.s3Driver = mapStorageDriver(driver)
        }
        if allowSubPaths, let subPathsNode = reader.node("subPaths") {
            storage.subPaths = mapSubPaths(subPathsNode)
        }
        return rootDirectory == nil ? nil : storage
    }

    func duration(_ reader: ObjectReader, _ key: String) -> (String, Double)? {
        guard let node = reader.node(key), let text = collector.string(node) else { return nil }
        guard let seconds = GoDuration.seconds(text) else {
            collector.error(node.path, "\(node.quoted) is not a duration (expected a Go duration like \"1h\", \"30m\" or \"10s\")")
            return nil
        }
        return (text, seconds)
    }

    /// `name: s3` → typed S3 settings; `filesystem` (or no name) → nil; any other driver is refused.
    private func mapStorageDriver(_ node: ConfigNode) -> S3DriverSettings? {
        guard case .object(let members) = node.value else {
            collector.error(node.path, "expected an object, got \(node.kindName)")
            return nil
        }
        guard let (_, nameNode) = members.first(where: { $0.key.lowercased() == "name" }) else {
            if !members.isEmpty { collector.error(node.path.appending(key: "name"), "is required (filesystem or s3)") }
            return nil
        }
        guard case .string(let name) = nameNode.value else {
            collector.error(nameNode.path, "expected a string, got \(nameNode.kindName)")
            return nil
        }
        switch name.lowercased() {
        case "filesystem", "": return nil
        case "s3": return mapS3Driver(node)
        default:
            collector.error(nameNode.path, "\(nameNode.quoted): only the filesystem and s3 drivers are supported")
            return nil
        }
    }

    private func mapSubPaths(_ node: ConfigNode) -> [String: StorageConfig] {
        guard case .object(let routes) = node.value else {
            collector.error(node.path, "expected an object (route → storage), got \(node.kindName)")
            return [:]
        }
        guard let reader = ObjectReader(node, known: routes.map(\.key), collector: collector) else { return [:] }
        var subPaths: [String: StorageConfig] = [:]
        for (route, routeNode) in routes {
            guard route.hasPrefix("/"), route.count > 1 else {
                collector.error(routeNode.path, "\(ConfigPath.quote(route)) is not a route (expected it to start with \"/\", e.g. \"/a\")")
                continue
            }
            if let storage = mapStorage(reader, key: route, allowSubPaths: false) {
                subPaths[route] = storage
            }
        }
        return subPaths
    }
}
