import Foundation
import Hummingbird
import NIOCore

/// The console's page frame: one stylesheet inline (no external assets), a navigation bar for signed-in users,
/// landmarks and a skip link, readable on a phone; scripts only from `/console.js` (strict CSP).
enum ConsoleLayout {
    static let scriptPath = "/console.js"

    /// A full page; `user` (signed in) adds the navigation and the sign-out button.
    static func page(title: String, user: String?, csrf: String?, body: String, status: HTTPResponse.Status = .ok) -> Response {
        var nav = ""
        if let user {
            nav = """
            <header><nav aria-label="Main"><a href="\(ConsoleRoutes.explorePath)">Repositories</a> \
            <a href="\(ConsoleRoutes.keysPath)">API keys</a> <a href="\(ConsoleRoutes.whoAmIPath)">Who am I</a> \
            <span class="user">Signed in as <strong id="username">\(HTML.escape(user))</strong></span> \
            <form class="inline" method="post" action="\(AccountRoutes.logoutPath)">\
            <input type="hidden" name="csrf" value="\(HTML.escape(csrf ?? ""))"><button type="submit" id="logout">Sign out</button></form>\
            </nav></header>
            """
        }
        let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) · zot-authz</title>
        <style>\(stylesheet)</style><script src="\(scriptPath)" defer></script></head>
        <body><a class="skip" href="#main">Skip to content</a>
        \(nav)
        <main id="main">
        \(body)
        </main></body></html>
        """
        return Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .init("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; "
                + "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .init("X-Frame-Options")!: "DENY",
            .init("Referrer-Policy")!: "no-referrer",
            .init("X-Content-Type-Options")!: "nosniff",
        ], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Dark text on white (contrast well above 4.5:1), visible focus, tables that scroll on narrow screens.
    static let stylesheet = """
    body{font-family:system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:64rem;margin:0 auto;padding:0 1rem;line-height:1.5}\
    a{color:#0645ad}a:focus,button:focus,input:focus{outline:3px solid #1a5fb4;outline-offset:2px}\
    header nav{display:flex;flex-wrap:wrap;gap:.8rem;align-items:center;padding:.6rem 0;border-bottom:1px solid #ccc}\
    .user{margin-left:auto}.inline{display:inline}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff}\
    pre,code{background:#f2f2f2;overflow-x:auto}pre{padding:.5rem;max-width:100%}.scroll{overflow-x:auto;max-width:100%}\
    h1,p code,dd,dd code,li code{overflow-wrap:anywhere;word-break:break-all}\
    table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}td{white-space:nowrap}\
    .error{color:#a00000}.ok{color:#0a5c0a}label{display:block;margin:.4rem 0}input,select,button{font-size:1rem;padding:.3rem}\
    .button{display:inline-block;padding:.4rem .8rem;border:1px solid #0645ad;border-radius:4px;text-decoration:none}
    """

    /// Copy buttons (`data-copy` holds the text) and the repository filter; everything works without it.
    static let script = """
    document.addEventListener('click',function(e){var b=e.target.closest('button[data-copy]');if(!b)return;\
    navigator.clipboard.writeText(b.getAttribute('data-copy')).then(function(){b.textContent='Copied';});});\
    document.addEventListener('input',function(e){if(e.target.id!=='filter')return;var q=e.target.value.toLowerCase();\
    document.querySelectorAll('#repositories tbody tr').forEach(function(r){r.hidden=r.dataset.name.indexOf(q)<0;});});
    """

    static func scriptResponse() -> Response {
        Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=3600",
                                        .init("X-Content-Type-Options")!: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: script)))
    }

    /// A copy button for `text`, labelled for screen readers.
    static func copyButton(_ text: String, label: String) -> String {
        "<button type=\"button\" data-copy=\"\(HTML.escape(text))\" aria-label=\"\(HTML.escape(label))\">Copy</button>"
    }

    /// Bytes as B, KiB, MiB, GiB.
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// A query-string component.
    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/:"))) ?? ""
    }
}
