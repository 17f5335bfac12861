import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import RegistryCore

/// Refuses requests whose message framing is ambiguous, before they reach routing (RFC 9112 §6.1, §6.3).
///
/// A `Transfer-Encoding` other than exactly `chunked` (an unknown coding such as `xchunked`, or a list such as
/// `gzip, chunked`), or one combined with `Content-Length`, leaves the body length to interpretation: a proxy in
/// front may frame it differently and a second request could hide in the body (request smuggling). Such a request
/// is answered 400 with an OCI error and the connection is closed; nothing read after it is answered.
///
/// Sits in each HTTP/1 child channel after the HTTP part decoding (it sees `HTTPRequestPart`s).
final class TransferCodingGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Once a request was refused, everything else on the connection is dropped.
    private var refused = false

    init() {}

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        if case .head(let request) = unwrapInboundIn(data), let reason = Self.framingProblem(request.headerFields) {
            refused = true
            refuse(context: context, reason: reason)
            return
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // After a refusal, decoding errors of the remaining bytes must not produce a second answer.
        guard !refused else { return }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
    }

    /// Why the framing of a request with these fields is refused, or `nil` when it is acceptable.
    static func framingProblem(_ fields: HTTPFields) -> String? {
        let values = fields[values: .transferEncoding]
        guard !values.isEmpty else { return nil }
        let codings = values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard codings.count == 1, codings[0].lowercased() == "chunked" else {
            let shown = values.joined(separator: ", ")
            return "unsupported Transfer-Encoding \"\(shown.prefix(100))\": only \"chunked\" is accepted"
        }
        if fields[.contentLength] != nil {
            return "Transfer-Encoding and Content-Length together make the body length ambiguous"
        }
        return nil
    }

    private func refuse(context: ChannelHandlerContext, reason: String) {
        let error = RegistryError(.unsupported, status: 400, message: reason)
        var body = context.channel.allocator.buffer(capacity: 256)
        body.writeString(error.jsonBody)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.readableBytes)
        headers[.connection] = "close"
        headers[.dockerDistributionAPIVersion] = "registry/2.0"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .badRequest, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
