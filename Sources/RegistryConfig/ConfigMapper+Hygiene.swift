extension ConfigMapper {
    /// `extensions.scrub: {enable, interval}`: enabled by default when present; `interval` defaults to 24h and, as in
    /// Zot, one shorter than 2h is raised to 2h (with a notice).
    func mapScrub(_ extensions: ObjectReader) -> ScrubExtensionConfig? {
        guard extensions.contains("scrub") else { return nil }
        var scrub = ScrubExtensionConfig()
        guard let node = extensions.node("scrub") else { return scrub }
        guard let reader = ObjectReader(node, known: ["enable", "interval"], collector: collector) else { return nil }
        if let enable = reader.bool("enable") { scrub.enable = enable }
        if let (text, seconds) = duration(reader, "interval"), seconds > 0 {
            if seconds < ScrubExtensionConfig.minimumIntervalSeconds {
                collector.notice(reader.path(of: "interval"), "\"\(text)\" is shorter than Zot's minimum; the scrub runs every 2h")
                scrub.interval = "2h"
                scrub.intervalSeconds = ScrubExtensionConfig.minimumIntervalSeconds
            } else {
                scrub.interval = text
                scrub.intervalSeconds = seconds
            }
        }
        return scrub
    }

    /// `extensions.lint: {enable, mandatoryAnnotations}`: enabled by default when present.
    func mapLint(_ extensions: ObjectReader) -> LintExtensionConfig? {
        guard extensions.contains("lint") else { return nil }
        var lint = LintExtensionConfig()
        guard let node = extensions.node("lint") else { return lint }
        guard let reader = ObjectReader(node, known: ["enable", "mandatoryAnnotations"], collector: collector) else { return nil }
        if let enable = reader.bool("enable") { lint.enable = enable }
        if let keysNode = reader.node("mandatoryAnnotations"), let keys = collector.stringList(keysNode) {
            for (index, key) in keys.enumerated() where key.isEmpty {
                collector.error(keysNode.path.appending(index: index), "must not be empty")
            }
            lint.mandatoryAnnotations = keys.filter { !$0.isEmpty }
        }
        return lint
    }
}
