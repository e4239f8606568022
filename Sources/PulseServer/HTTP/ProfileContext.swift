import Hummingbird
import PulseEngine

/// The context of every `/api/v1` route: the viewer and its profile's view, resolved once, when
/// the route is matched, before any handler runs (a handler cannot forget to check access).
///
/// Resolving refuses 401 without a valid token or session (saying why), and 404 for a profile
/// that is not the token's, exactly as for a profile that does not exist. A route without a
/// `:profile` parameter (`/api/v1/status`) reads the token's own profile.
struct ProfileContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    /// Who asks.
    let viewer: Viewer
    /// The viewer's profile as served when the request was routed.
    let view: ProfileView

    init(context: ServeContext) throws {
        guard let viewer = context.viewer else { throw context.unauthorized }
        let asked = context.parameters.get("profile") ?? viewer.profile
        guard asked == viewer.profile, let view = context.state?.current.profiles[viewer.profile] else {
            throw HTTPError(.notFound, message: "no profile '\(asked.prefix(64))'")
        }
        self.coreContext = context.coreContext
        self.viewer = viewer
        self.view = view
    }

    /// The served evaluation, or 503 saying why there is none (no data is never an empty success).
    /// Only an owner is told the details (a problem's text may name any card).
    func served() throws(HTTPError) -> ServedEvaluation {
        guard let served = view.served else {
            var why = view.snapshotProblem != nil ? ": the newest snapshot could not be loaded" : view.config == nil ? ": the profile's config has errors" : ": no snapshot yet"
            if viewer.isOwner, let problem = view.snapshotProblem { why += " (\(problem.message))" }
            throw HTTPError(.serviceUnavailable, message: "nothing evaluated yet for profile '\(view.name)'" + why)
        }
        return served
    }

    /// The visible card `:key` (from the path), or 404, exactly as for a card that does not exist.
    func visibleCard(_ served: ServedEvaluation) throws(HTTPError) -> CardResult {
        let key = parameters.get("key") ?? ""
        guard let r = served.result(key), viewer.sees(r.settings.roles) else {
            throw HTTPError(.notFound, message: "no card '\(key.prefix(64))'")
        }
        return r
    }
}
