import Hummingbird

/// Writes an `HTTPError` a route throws as the API writes every error: `{"error": message}` with
/// its status (and any headers it carries), as JSON that is never cached. Any other error is a
/// 500 saying what it was. An `HTTPError` without a message (the router's own 404 and 405) is
/// left to Hummingbird, as for every path outside the API.
struct ErrorReplyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            guard let message = error.body else { throw error }
            var response = Reply.error(error.status, message)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch {
            return Reply.error(.internalServerError, "\(error)")
        }
    }
}
