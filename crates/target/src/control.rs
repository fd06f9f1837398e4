//! The two control endpoints, which are answered but never counted.

/// `GET` here returns the counters as JSON ([`crate::StatsSnapshot`]).
pub const STATS_PATH: &str = "/_onslaught/stats";

/// `POST` here zeroes the counters and returns what they held.
pub const RESET_PATH: &str = "/_onslaught/reset";

/// Which handler a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Ordinary load: counted and answered per the configured behaviour.
    Load,
    Stats,
    Reset,
}

impl Route {
    /// Control routes match method and path exactly (the query is ignored);
    /// anything else, even under `/_onslaught/`, is load.
    pub(crate) fn of(method: &str, target: &str) -> Route {
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        match (method, path) {
            ("GET", STATS_PATH) => Route::Stats,
            ("POST", RESET_PATH) => Route::Reset,
            _ => Route::Load,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_routes_need_their_method() {
        assert_eq!(Route::of("GET", "/_onslaught/stats?pretty"), Route::Stats);
        assert_eq!(Route::of("POST", RESET_PATH), Route::Reset);
        assert_eq!(Route::of("POST", STATS_PATH), Route::Load);
        assert_eq!(Route::of("GET", "/_onslaught/other"), Route::Load);
    }
}
