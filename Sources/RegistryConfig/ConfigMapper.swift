/// Maps a parsed `ConfigNode` tree onto `ZotConfig`, collecting every problem instead of stopping at the first.
struct ConfigMapper {
    let collector = ProblemCollector()

    /// The typed config, or every problem found.
    static func map(_ root: ConfigNode, checkingFiles: Bool = true) throws(ConfigError) -> ZotConfig {
        let mapper = ConfigMapper()
        mapper.collector.checksFiles = checkingFiles
        let config = mapper.mapRoot(root)
        guard mapper.collector.problems.isEmpty, var config else {
            throw ConfigError(problems: mapper.collector.problems)
        }
        config.notices = mapper.collector.notices
        return config
    }

    private func mapRoot(_ root: ConfigNode) -> ZotConfig? {
        let buildMetadata = "build metadata written by Zot"
        guard let reader = ObjectReader(root, known: ["distSpecVersion", "storage", "http", "log", "extensions", "cluster"],
                                        ignored: ["goVersion": buildMetadata, "commit": buildMetadata,
                                                  "releaseTag": buildMetadata, "binaryType": buildMetadata,
                                                  "scheduler": "the scheduler is not configurable"],
                                        collector: collector) else {
            return nil
        }
        if reader.contains("cluster") {
            collector.error(reader.path(of: "cluster"), "scale-out clustering is not supported")
        }
        let distSpecVersion = reader.string("distSpecVersion")
        let http = mapHTTP(reader.node("http"))
        let storage = mapStorage(reader, key: "storage", allowSubPaths: true)
        let log = mapLog(reader.object("log", known: ["level", "output", "audit", "format"]))
        let extensions = mapExtensions(reader.node("extensions"))
        guard let storage else { return nil }
        return ZotConfig(distSpecVersion: distSpecVersion, http: http, storage: storage, log: log, extensions: extensions)
    }

    private func mapLog(_ reader: ObjectReader?) -> LogConfig {
        var log = LogConfig()
        guard let reader else { return log }
        if let node = reader.node("level"), let level = collector.string(node) {
            let levels = ["debug", "info", "warn", "error"]
            if levels.contains(level.lowercased()) {
                log.level = level.lowercased()
            } else {
                collector.error(node.path, "\(node.quoted) is not a log level (\(levels.joined(separator: ", ")))")
            }
        }
        log.output = reader.string("output")
        log.audit = reader.string("audit")
        if let node = reader.node("format"), let format = collector.string(node) {
            if let parsed = LogConfig.Format(rawValue: format.lowercased()) {
                log.format = parsed
            } else {
                let formats = LogConfig.Format.allCases.map(\.rawValue).joined(separator: ", ")
                collector.error(node.path, "\(node.quoted) is not a log format (\(formats))")
            }
        }
        return log
    }

    private func mapExtensions(_ node: ConfigNode?) -> ExtensionsConfig {
        var extensions = ExtensionsConfig()
        guard let node, let reader = ObjectReader(node, known: ExtensionsConfig.knownSections, collector: collector),
              case .object(let members) = node.value else {
            return extensions
        }
        if let metrics = reader.object("metrics", known: ["enable", "prometheus"]) {
            var config = MetricsExtensionConfig()
            if let enable = metrics.bool("enable") { config.enable = enable }
            if let prometheus = metrics.object("prometheus", known: ["path"]), let pathNode = prometheus.node("path"),
               let path = collector.string(pathNode) {
                if path.hasPrefix("/") && !path.contains(where: \.isWhitespace) {
                    config.path = path
                } else {
                    collector.error(pathNode.path, "\(pathNode.quoted) is not a URL path (expected it to start with \"/\")")
                }
            }
            extensions.metrics = config
        }
        if let ui = reader.object("ui", known: ["enable"]) {
            extensions.ui = UIExtensionConfig(enable: ui.bool("enable") ?? true)
        }
        extensions.scrub = mapScrub(reader)
        extensions.lint = mapLint(reader)
        if let sync = reader.node("sync") { extensions.sync = mapSync(sync) }
        let known = Set(ExtensionsConfig.knownSections.map { $0.lowercased() })
        let implemented: Set<String> = ["metrics", "scrub", "lint", "ui", "sync"]
        for (key, member) in members where !implemented.contains(key.lowercased()) && known.contains(key.lowercased()) {
            extensions.acceptedSections.append(key)
            collector.notice(member.path, "extension accepted but not implemented; the section is ignored")
        }
        return extensions
    }
}
