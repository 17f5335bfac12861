import Foundation
import Hummingbird
import NIOCore
import RegistryCore
import RegistryPolicy

extension ConsoleRoutes {
    /// `/image?name=R` lists the tags of R; `/image?name=R&ref=T` shows one image. Both answer 404 (the same page)
    /// when R does not exist or the viewer may not read it.
    func imagePage(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let query = request.uri.queryParameters
        guard let name = query.get("name"), let repository = RepositoryName(name),
              policies.value.canRead(viewer.identity, repository) else { return notFound(viewer) }
        if let ref = query.get("ref") {
            guard let reference = Reference(ref) else { return notFound(viewer) }
            return try await manifestPage(repository, reference, viewer)
        }
        return try await repositoryPage(repository, viewer, message: query.get("deleted").map { "Tag \($0) deleted." })
    }

    private func repositoryPage(_ repository: RepositoryName, _ viewer: Viewer, message: String?) async throws -> Response {
        guard let tags = try await storage.tags(repository) else { return notFound(viewer) }
        let mayDelete = policies.value.decide(viewer.identity, AccessRequirement(repository, .delete)).allowed
        let activity = await recordedActivity(repository)
        var rows = ""
        for tag in tags.sorted() {
            guard let stored = try? await storage.manifest(repository, .tag(tag)) else { continue }
            let view = ConsoleManifestView.decode(stored.body)
            let pull = "podman pull \(options.registryHost)/\(repository.value):\(tag)"
            let link = "\(Self.imagePath)?name=\(ConsoleLayout.query(repository.value))&ref=\(ConsoleLayout.query(tag))"
            rows += "<tr><th scope=\"row\"><a href=\"\(HTML.escape(link))\">\(HTML.escape(tag))</a></th>"
            let digest = stored.digest.description
            rows += "<td><code title=\"\(HTML.escape(digest))\">\(HTML.escape(String(digest.prefix(19))))…</code></td>"
            rows += "<td>\(ConsoleLayout.size(view?.totalSize(manifestBytes: stored.body.count) ?? Int64(stored.body.count)))</td>"
            rows += "<td>\(HTML.escape(view?.platforms.joined(separator: ", ") ?? ""))</td>"
            let tagActivity = activity?.tags[tag]
            rows += "<td>\(Self.time(tagActivity?.pushedAt))\(tagActivity?.pushedBy.map { " by " + HTML.escape($0) } ?? "")</td>"
            rows += "<td>\(Self.time(tagActivity?.pulledAt ?? activity?.manifests[stored.digest]?.pulledAt))</td>"
            rows += "<td><code>\(HTML.escape(pull))</code> \(ConsoleLayout.copyButton(pull, label: "Copy the pull command for \(tag)"))</td><td>"
            if mayDelete {
                rows += "<form method=\"post\" action=\"\(Self.deleteTagPath)\"><input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(viewer.session.csrfToken))\">"
                rows += "<input type=\"hidden\" name=\"name\" value=\"\(HTML.escape(repository.value))\"><input type=\"hidden\" name=\"tag\" value=\"\(HTML.escape(tag))\">"
                rows += "<label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required> confirm</label>"
                rows += "<button type=\"submit\" aria-label=\"Delete tag \(HTML.escape(tag))\">Delete</button></form>"
            }
            rows += "</td></tr>\n"
        }
        var body = "<h1>\(HTML.escape(repository.value))</h1>\n"
        if let message { body += "<p class=\"ok\" role=\"status\" id=\"message\">\(HTML.escape(message))</p>\n" }
        body += """
        <div class="scroll"><table id="tags"><caption>Tags</caption><thead><tr><th scope="col">Tag</th><th scope="col">Digest</th>
        <th scope="col">Size</th><th scope="col">Platforms</th><th scope="col">Pushed</th><th scope="col">Last pulled</th><th scope="col">Pull</th><th scope="col"><span class="skip">Actions</span></th></tr></thead>
        <tbody>\(rows)</tbody></table></div>
        """
        if tags.isEmpty { body += "<p>This repository has no tags.</p>" }
        return page(repository.value, viewer, body)
    }

    private func manifestPage(_ repository: RepositoryName, _ reference: Reference, _ viewer: Viewer) async throws -> Response {
        guard let stored = try? await storage.manifest(repository, reference) else { return notFound(viewer) }
        let view = ConsoleManifestView.decode(stored.body)
        let base = "\(Self.imagePath)?name=\(ConsoleLayout.query(repository.value))"
        var body = "<p><a href=\"\(HTML.escape(base))\">← \(HTML.escape(repository.value))</a></p>\n"
        body += "<h1>\(HTML.escape(repository.value)):\(HTML.escape(reference.description))</h1>\n"
        body += "<p>Digest <code id=\"digest\">\(HTML.escape(stored.digest.description))</code> · \(HTML.escape(stored.mediaType))</p>\n"
        if let view, view.isIndex {
            body += "<h2>Platforms</h2><ul id=\"platforms\">"
            for entry in view.manifests ?? [] {
                let link = "\(base)&ref=\(ConsoleLayout.query(entry.digest))"
                body += "<li><a href=\"\(HTML.escape(link))\">\(HTML.escape(entry.platform?.text ?? entry.digest))</a> "
                body += "<code>\(HTML.escape(entry.digest))</code> \(ConsoleLayout.size(entry.size ?? 0))</li>"
            }
            body += "</ul>\n"
        } else if let view {
            body += try await configSection(repository, view)
            body += "<h2>Layers</h2><div class=\"scroll\"><table id=\"layers\"><thead><tr><th scope=\"col\">#</th><th scope=\"col\">Digest</th>"
            body += "<th scope=\"col\">Media type</th><th scope=\"col\">Size</th></tr></thead><tbody>"
            for (index, layer) in (view.layers ?? []).enumerated() {
                body += "<tr><td>\(index + 1)</td><td><code>\(HTML.escape(layer.digest))</code></td>"
                body += "<td>\(HTML.escape(layer.mediaType ?? ""))</td><td>\(ConsoleLayout.size(layer.size ?? 0))</td></tr>"
            }
            body += "</tbody></table></div>\n"
        }
        body += try await referrersSection(repository, stored.digest, base: base)
        body += "<h2>Manifest</h2><pre id=\"manifest\">\(HTML.escape(Self.pretty(stored.body)))</pre>\n"
        return page("\(repository.value):\(reference)", viewer, body)
    }

    private func configSection(_ repository: RepositoryName, _ view: ConsoleManifestView) async throws -> String {
        guard let entry = view.config, let digest = Digest(entry.digest), (entry.size ?? 0) <= 4 * 1024 * 1024,
              let data = try? await readAll(repository, digest), let config = try? JSONDecoder().decode(ConsoleImageConfig.self, from: data),
              config.config != nil || config.os != nil else { return "" }
        var body = "<h2>Configuration</h2><dl id=\"config\">"
        let platform = [config.os, config.architecture].compactMap { $0 }.joined(separator: "/")
        if !platform.isEmpty { body += "<dt>Platform</dt><dd>\(HTML.escape(platform))</dd>" }
        if let created = config.created { body += "<dt>Created</dt><dd>\(HTML.escape(created))</dd>" }
        if let entrypoint = config.config?.Entrypoint { body += "<dt>Entrypoint</dt><dd><code>\(HTML.escape(entrypoint.joined(separator: " ")))</code></dd>" }
        if let command = config.config?.Cmd { body += "<dt>Command</dt><dd><code>\(HTML.escape(command.joined(separator: " ")))</code></dd>" }
        if let user = config.config?.User, !user.isEmpty { body += "<dt>User</dt><dd>\(HTML.escape(user))</dd>" }
        for variable in config.config?.Env ?? [] { body += "<dt>Env</dt><dd><code>\(HTML.escape(variable))</code></dd>" }
        for (key, value) in (config.config?.Labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            body += "<dt>Label <code>\(HTML.escape(key))</code></dt><dd>\(HTML.escape(value))</dd>"
        }
        return body + "</dl>\n"
    }

    private func referrersSection(_ repository: RepositoryName, _ digest: Digest, base: String) async throws -> String {
        let referrers = (try? await storage.referrers(repository, subject: digest, artifactType: nil)) ?? []
        guard !referrers.isEmpty else { return "<h2>Referrers</h2><p id=\"no-referrers\">Nothing refers to this image.</p>\n" }
        var body = "<h2>Referrers</h2><div class=\"scroll\"><table id=\"referrers\"><thead><tr><th scope=\"col\">Artifact type</th>"
        body += "<th scope=\"col\">Digest</th><th scope=\"col\">Size</th></tr></thead><tbody>"
        for referrer in referrers.sorted(by: { ($0.artifactType ?? "", $0.digest) < ($1.artifactType ?? "", $1.digest) }) {
            let link = "\(base)&ref=\(ConsoleLayout.query(referrer.digest))"
            body += "<tr><td>\(HTML.escape(referrer.artifactType ?? referrer.mediaType))</td>"
            body += "<td><a href=\"\(HTML.escape(link))\"><code>\(HTML.escape(referrer.digest))</code></a></td><td>\(ConsoleLayout.size(referrer.size))</td></tr>"
        }
        return body + "</tbody></table></div>\n"
    }

    private func readAll(_ repository: RepositoryName, _ digest: Digest) async throws -> Data {
        var data = Data()
        for try await chunk in try await storage.readBlob(repository, digest, offset: 0, length: nil) {
            data.append(contentsOf: chunk.readableBytesView)
        }
        return data
    }

    static func pretty(_ body: [UInt8]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return String(decoding: body, as: UTF8.self) }
        return String(decoding: data, as: UTF8.self)
    }

    /// `POST /image/delete-tag` (`name`, `tag`, `confirm=yes`, the session's CSRF token): deletes the tag when the
    /// viewer has `delete` on the repository; audited either way.
    func deleteTag(_ request: Request, _ context: RegistryRequestContext, _ viewer: Viewer) async throws -> Response {
        let form = try await AccountPages.checkedForm(request, context, session: viewer.session)
        guard let name = form["name"], let repository = RepositoryName(name), let tag = form["tag"],
              case .tag = Reference(tag), policies.value.canRead(viewer.identity, repository) else { return notFound(viewer) }
        let verdict = policies.value.decide(viewer.identity, AccessRequirement(repository, .delete))
        guard verdict.allowed else {
            audit.recordAccountEvent(request, context, event: "console-delete-tag", result: .deny, user: viewer.session.username,
                                     groups: viewer.session.groups, reason: "\(repository.value):\(tag): \(verdict.rule)")
            return page("Not allowed", viewer, "<h1>Not allowed</h1><p role=\"alert\">You may not delete tags in \(HTML.escape(repository.value)).</p>",
                        status: .forbidden)
        }
        guard form["confirm"] == "yes" else {
            return try await repositoryPage(repository, viewer, message: "Tick “confirm” to delete \(tag).")
        }
        try await storage.deleteManifest(repository, .tag(tag))
        audit.recordAccountEvent(request, context, event: "console-delete-tag", result: .allow, user: viewer.session.username,
                                 groups: viewer.session.groups, reason: "\(repository.value):\(tag): \(verdict.rule)")
        return Self.redirect("\(Self.imagePath)?name=\(ConsoleLayout.query(repository.value))&deleted=\(ConsoleLayout.query(tag))")
    }
}
