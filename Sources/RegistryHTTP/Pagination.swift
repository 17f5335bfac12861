import Hummingbird

/// `n`/`last` pagination shared by the catalog and tag lists.
enum Pagination {
    /// The page after `last` of at most `n` entries, and the query of the next page if any remain.
    static func page(_ sorted: [String], request: Request) -> ([String], String?) {
        let query = request.uri.queryParameters
        var entries = sorted[...]
        if let last = query.get("last") {
            entries = entries.drop { $0 <= last }
        }
        guard let nText = query.get("n"), let n = Int(nText), n >= 0 else { return (Array(entries), nil) }
        let page = Array(entries.prefix(n))
        guard entries.count > n, let lastShown = page.last else { return (page, nil) }
        return (page, "n=\(n)&last=\(percentEncode(lastShown))")
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            let c = Character(UnicodeScalar(b))
            if c.isLetter || c.isNumber || c == "-" || c == "." || c == "_" || c == "~" {
                out.append(c)
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
