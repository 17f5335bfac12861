import Hummingbird
import Logging
import RegistryHTTP
import ServiceLifecycle

/// Runs the application until SIGTERM or SIGINT, then drains: in-flight requests get `timeout` to finish, after
/// which the server cancels them (each is logged as cut by ``InFlightMiddleware``) and exits, so a stalled upload
/// cannot hold a shutdown forever.
struct ShutdownDrain {
    let inFlight: InFlightRequests
    let timeout: Duration
    let logger: Logger

    func run(_ app: some Service) async throws {
        var configuration = ServiceGroupConfiguration(services: [
            .init(service: app),
            // Shut down first (reverse order), so its line comes before the server stops accepting.
            .init(service: DrainReporter(inFlight: inFlight, timeout: timeout, logger: logger),
                  successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
        ], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = timeout
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch let error as ServiceGroupError {
            logger.error("shutdown did not complete: \(error)")
            throw error
        }
        // What is still listed never finished writing its response: the drain cut it (a request that noticed its
        // cancellation has already logged itself and is gone from the list).
        let cut = inFlight.entries
        for entry in cut {
            logger.warning("request cut by shutdown", metadata: [
                "method": "\(entry.method)", "path": "\(entry.path)",
                "runningSeconds": "\(entry.runningSeconds)",
            ])
        }
        logger.info("shutdown complete", metadata: ["cut": "\(cut.count)"])
    }
}

/// Waits for the shutdown signal and logs what the drain waits for.
private struct DrainReporter: Service {
    let inFlight: InFlightRequests
    let timeout: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return
        }
        let waiting = inFlight.entries
        logger.notice("shutting down: draining in-flight requests", metadata: [
            "inFlight": "\(waiting.count)", "timeoutSeconds": "\(timeout.components.seconds)",
        ])
        for entry in waiting {
            logger.info("waiting for request", metadata: ["method": "\(entry.method)", "path": "\(entry.path)"])
        }
    }
}
