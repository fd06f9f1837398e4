//! The guard in front of every page and API path but `/health`: basic
//! auth when a password is set, and an Origin check on anything that
//! changes state, so another site cannot make a logged-in browser start
//! or stop load.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use crate::app::App;
use crate::config::Auth;
use crate::secret::constant_time_eq;

/// The one user name, as the seed had it.
pub const USER: &str = "admin";

/// Who may in, and from where forms may be posted.
#[derive(Debug)]
pub struct Guard {
    password: Option<String>,
    /// `PHX_HOST`, lowercase.
    public_host: Option<String>,
}

impl Guard {
    pub fn new(auth: &Auth, public_host: Option<&str>) -> Guard {
        Guard {
            password: match auth {
                Auth::Open => None,
                Auth::Password { password, .. } => Some(password.clone()),
            },
            public_host: public_host.map(str::to_ascii_lowercase),
        }
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(password) = &self.password else {
            return true;
        };
        let Some((user, given)) = basic_credentials(headers) else {
            return false;
        };
        // Both compared in full, so timing says nothing about which failed.
        let user_ok = constant_time_eq(user.as_bytes(), USER.as_bytes());
        let password_ok = constant_time_eq(given.as_bytes(), password.as_bytes());
        user_ok & password_ok
    }

    /// Why a state-changing request looks cross-site, if it does.
    fn cross_site(&self, headers: &HeaderMap) -> Option<String> {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        let Some(origin) = text(header::ORIGIN) else {
            // Browsers send Origin on every POST; a client that sends
            // neither it nor Sec-Fetch-Site is a script, not a victim.
            return match text(header::HeaderName::from_static("sec-fetch-site")) {
                Some("same-origin") | Some("none") | None => None,
                Some(other) => Some(format!("Sec-Fetch-Site is {other:?}")),
            };
        };
        let authority = origin
            .split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/').to_ascii_lowercase());
        let Some(authority) = authority.filter(|a| !a.is_empty()) else {
            return Some(format!("Origin {origin:?} is not a web origin"));
        };
        let host = text(header::HOST).map(str::to_ascii_lowercase);
        if host.as_deref() == Some(authority.as_str()) {
            return None;
        }
        let origin_host = strip_port(&authority);
        if self.public_host.as_deref() == Some(origin_host) {
            return None;
        }
        Some(format!(
            "Origin {origin:?} matches neither the Host header {:?} nor PHX_HOST {:?}",
            host.unwrap_or_default(),
            self.public_host.as_deref().unwrap_or("(unset)")
        ))
    }
}

/// The middleware: 401 without valid credentials, 403 for cross-site writes.
pub async fn guard(State(app): State<App>, request: Request, next: Next) -> Response {
    if !app.guard.authorized(request.headers()) {
        tracing::debug!(path = %request.uri().path(), "unauthorized request refused");
        return unauthorized();
    }
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if writes {
        if let Some(reason) = app.guard.cross_site(request.headers()) {
            tracing::warn!(path = %request.uri().path(), reason = %reason, "cross-site request refused");
            return (
                StatusCode::FORBIDDEN,
                axum::Json(serde_json::json!({
                    "error": format!("cross-site request refused: {reason}")
                })),
            )
                .into_response();
        }
    }
    next.run(request).await
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            "Basic realm=\"onslaught\", charset=\"UTF-8\"",
        )],
        "Authentication required: user admin and the node's AUTH_PASSWORD.\n",
    )
        .into_response()
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// `host:port` → `host`, keeping IPv6 brackets intact.
fn strip_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn guard(public_host: Option<&str>) -> Guard {
        Guard::new(
            &Auth::Password {
                password: "pw".into(),
                generated: false,
            },
            public_host,
        )
    }

    #[test]
    fn basic_auth_needs_admin_and_the_password() {
        let encoded = |creds: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(creds)
            )
        };
        let g = guard(None);
        assert!(g.authorized(&headers(&[("authorization", &encoded("admin:pw"))])));
        assert!(!g.authorized(&headers(&[("authorization", &encoded("admin:px"))])));
        assert!(!g.authorized(&headers(&[("authorization", &encoded("root:pw"))])));
        assert!(!g.authorized(&headers(&[("authorization", "Basic !!!")])));
        assert!(!g.authorized(&headers(&[])));
        assert!(Guard::new(&Auth::Open, None).authorized(&headers(&[])));
    }

    #[test]
    fn origin_must_match_host_or_public_host() {
        let g = guard(Some("Onslaught.Example"));
        let host = ("host", "127.0.0.1:4000");
        assert!(g.cross_site(&headers(&[host])).is_none());
        assert!(g
            .cross_site(&headers(&[host, ("origin", "http://127.0.0.1:4000")]))
            .is_none());
        assert!(g
            .cross_site(&headers(&[
                host,
                ("origin", "https://onslaught.example:8443")
            ]))
            .is_none());
        assert!(g
            .cross_site(&headers(&[host, ("origin", "http://evil.test")]))
            .is_some());
        assert!(g
            .cross_site(&headers(&[host, ("origin", "null")]))
            .is_some());
        assert!(g
            .cross_site(&headers(&[host, ("sec-fetch-site", "cross-site")]))
            .is_some());
        assert_eq!(strip_port("[::1]:80"), "[::1]");
    }
}
