//! The rules a spawn must satisfy, and their error messages.

use std::str::FromStr;

use super::{FieldErrors, HeaderField, SpawnOptions, SpawnRequest};

/// Bounds on every numeric field.
///
/// They exist to catch typos (an extra zero) and to keep one node from being
/// turned into something that takes the machine down, not to limit real
/// tests: each is far beyond what one process can usefully drive.
pub mod limits {
    pub const SESSIONS: (u32, u32) = (1, 1_000_000);
    pub const DELAY_BETWEEN_SPAWNS_MS: (u64, u64) = (0, 60_000);
    /// A day; longer soaks should be several spawns.
    pub const SECONDS: (u64, u64) = (1, 86_400);
    pub const INTERVAL_MS: (u64, u64) = (0, 3_600_000);
    pub const RATE: (u32, u32) = (1, 1_000_000);
    pub const POOL_COUNT: (u32, u32) = (1, 64);
    pub const POOL_SIZE: (u32, u32) = (1, 10_000);
    pub const TIMEOUT_MS: (u64, u64) = (1, 600_000);
    pub const RETRIES: (u32, u32) = (0, 10);
    pub const HEADERS: usize = 100;
    pub const BODY_BYTES: usize = 10 * 1024 * 1024;
    pub const URL_BYTES: usize = 8 * 1024;
}

/// Defaults for fields left empty: the seed's GET session, once a second.
pub mod defaults {
    pub const METHOD: &str = "GET";
    pub const SESSIONS: u32 = 10;
    pub const DELAY_BETWEEN_SPAWNS_MS: u64 = 0;
    pub const SECONDS: u64 = 10;
    pub const INTERVAL_MS: u64 = 1000;
    pub const POOL_COUNT: u32 = 1;
    pub const POOL_SIZE: u32 = 50;
    pub const TIMEOUT_MS: u64 = 10_000;
    pub const RETRIES: u32 = 0;
}

impl SpawnRequest {
    /// Checks every field and returns either the options or all problems at
    /// once, keyed by field name, so a form can show each next to its input.
    pub fn validate(&self) -> Result<SpawnOptions, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut check = Checker {
            errors: &mut errors,
        };

        let url = check.url(self.url.as_deref());
        let method = check.method(self.method.as_deref());
        let headers = check.headers(&self.headers);
        let body = self.body.clone().unwrap_or_default();
        if body.len() > limits::BODY_BYTES {
            check.errors.add(
                "body",
                format!(
                    "is {} bytes; at most {} are allowed",
                    body.len(),
                    limits::BODY_BYTES
                ),
            );
        }
        let session_count = check.number(
            "session_count",
            &self.session_count,
            defaults::SESSIONS,
            limits::SESSIONS,
        );
        let delay_between_spawns_ms = check.number(
            "delay_between_spawns_ms",
            &self.delay_between_spawns_ms,
            defaults::DELAY_BETWEEN_SPAWNS_MS,
            limits::DELAY_BETWEEN_SPAWNS_MS,
        );
        let seconds = check.number("seconds", &self.seconds, defaults::SECONDS, limits::SECONDS);
        let interval_ms = check.number(
            "interval_ms",
            &self.interval_ms,
            defaults::INTERVAL_MS,
            limits::INTERVAL_MS,
        );
        let rate = check.optional_number("rate", &self.rate, limits::RATE);
        let pool_count = check.number(
            "pool_count",
            &self.pool_count,
            defaults::POOL_COUNT,
            limits::POOL_COUNT,
        );
        let pool_size = check.number(
            "pool_size",
            &self.pool_size,
            defaults::POOL_SIZE,
            limits::POOL_SIZE,
        );
        let timeout_ms = check.number(
            "timeout_ms",
            &self.timeout_ms,
            defaults::TIMEOUT_MS,
            limits::TIMEOUT_MS,
        );
        let retries = check.number("retries", &self.retries, defaults::RETRIES, limits::RETRIES);
        let http2 = check.flag("http2", &self.http2);
        let insecure = check.flag("insecure", &self.insecure);

        if let Some(url) = &url {
            if http2 && url.starts_with("https") {
                errors.add(
                    "http2",
                    "applies to http:// URLs only; https negotiates HTTP/2 by itself",
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SpawnOptions {
            url: url.unwrap_or_default(),
            method,
            headers,
            body,
            session_count,
            delay_between_spawns_ms,
            seconds,
            interval_ms,
            rate,
            pool_count,
            pool_size,
            timeout_ms,
            retries,
            http2,
            insecure,
        })
    }
}

/// Collects errors while turning text into values; a bad field yields its
/// default so the remaining fields are still checked.
struct Checker<'a> {
    errors: &'a mut FieldErrors,
}

impl Checker<'_> {
    fn url(&mut self, text: Option<&str>) -> Option<String> {
        let text = text.map(str::trim).unwrap_or_default();
        match parse_url(text) {
            Ok(url) => Some(url),
            Err(message) => {
                self.errors.add("url", message);
                None
            }
        }
    }

    fn method(&mut self, text: Option<&str>) -> String {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        let method = text.unwrap_or(defaults::METHOD).to_ascii_uppercase();
        if http::Method::from_bytes(method.as_bytes()).is_err() {
            self.errors.add(
                "method",
                format!("{method:?} is not an HTTP method: use letters only, e.g. GET or POST"),
            );
        }
        method
    }

    fn headers(&mut self, rows: &[HeaderField]) -> Vec<HeaderField> {
        let mut headers = Vec::with_capacity(rows.len());
        for row in rows {
            let key = row.key.trim();
            let value = row.value.trim();
            // The form always posts some empty rows; they mean nothing.
            if key.is_empty() && value.is_empty() {
                continue;
            }
            if let Err(message) = check_header(key, value) {
                self.errors.add("headers", message);
                continue;
            }
            headers.push(HeaderField {
                key: key.to_owned(),
                value: value.to_owned(),
            });
        }
        if headers.len() > limits::HEADERS {
            self.errors.add(
                "headers",
                format!(
                    "{} headers given; at most {} are allowed",
                    headers.len(),
                    limits::HEADERS
                ),
            );
        }
        headers
    }

    fn number<T>(&mut self, field: &str, text: &Option<String>, default: T, bounds: (T, T)) -> T
    where
        T: FromStr + PartialOrd + Copy + std::fmt::Display,
    {
        self.optional_number(field, text, bounds).unwrap_or(default)
    }

    fn optional_number<T>(
        &mut self,
        field: &str,
        text: &Option<String>,
        (min, max): (T, T),
    ) -> Option<T>
    where
        T: FromStr + PartialOrd + Copy + std::fmt::Display,
    {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        match text.parse::<T>() {
            Ok(value) if value >= min && value <= max => Some(value),
            Ok(_) => {
                self.errors.add(
                    field,
                    format!("must be between {min} and {max}, got {text}"),
                );
                None
            }
            Err(_) => {
                self.errors.add(
                    field,
                    format!("must be a whole number between {min} and {max}, got {text:?}"),
                );
                None
            }
        }
    }

    fn flag(&mut self, field: &str, text: &Option<String>) -> bool {
        match text.as_deref().map(str::trim) {
            None | Some("") | Some("false") | Some("off") | Some("0") => false,
            Some("true") | Some("on") | Some("1") => true,
            Some(other) => {
                self.errors
                    .add(field, format!("must be true or false, got {other:?}"));
                false
            }
        }
    }
}

fn parse_url(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("is required, e.g. http://127.0.0.1:8080/".into());
    }
    if text.len() > limits::URL_BYTES {
        return Err(format!(
            "is {} bytes long; at most {} are allowed",
            text.len(),
            limits::URL_BYTES
        ));
    }
    let uri: http::Uri = text
        .parse()
        .map_err(|e| format!("{text:?} is not a valid URL: {e}"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        Some(other) => {
            return Err(format!(
                "scheme {other:?} is not supported: use http or https"
            ))
        }
        None => return Err(format!("{text:?} has no scheme: write it as http://{text}")),
    }
    match uri.host() {
        Some(host) if !host.is_empty() => {}
        _ => return Err(format!("{text:?} has no host")),
    }
    if uri.port_u16() == Some(0) {
        return Err(format!("{text:?} has port 0, which nothing can listen on"));
    }
    Ok(uri.to_string())
}

fn check_header(key: &str, value: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err(format!("header with value {value:?} has no name"));
    }
    http::HeaderName::from_bytes(key.as_bytes())
        .map_err(|_| format!("{key:?} is not a valid header name (letters, digits and -_ only)"))?;
    http::HeaderValue::from_str(value)
        .map_err(|_| format!("the value of {key:?} contains characters not allowed in a header"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str) -> SpawnRequest {
        SpawnRequest {
            url: Some(url.into()),
            ..SpawnRequest::default()
        }
    }

    fn errors_of(request: SpawnRequest) -> FieldErrors {
        request.validate().expect_err("should be rejected")
    }

    #[test]
    fn defaults_fill_empty_fields() {
        let options = request("http://127.0.0.1:8080").validate().unwrap();
        assert_eq!(options.url, "http://127.0.0.1:8080/");
        assert_eq!(options.method, "GET");
        assert_eq!(options.session_count, defaults::SESSIONS);
        assert_eq!(options.interval_ms, 1000);
        assert_eq!(options.rate, None);
        assert!(!options.insecure);
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        for bad in [
            "",
            "ftp://x/",
            "127.0.0.1:80",
            "http://",
            "not a url",
            "http://h:0/",
        ] {
            let errors = errors_of(request(bad));
            assert!(errors.0.contains_key("url"), "{bad:?} accepted");
        }
        assert!(request("https://example.test/a?b=c").validate().is_ok());
    }

    #[test]
    fn numbers_out_of_range_or_garbled_name_their_field() {
        let mut req = request("http://h/");
        req.session_count = Some("0".into());
        req.seconds = Some("ten".into());
        req.pool_size = Some("-3".into());
        req.rate = Some("1.5".into());
        req.timeout_ms = Some("99999999999999999999999".into());
        let errors = errors_of(req);
        for field in [
            "session_count",
            "seconds",
            "pool_size",
            "rate",
            "timeout_ms",
        ] {
            assert!(
                errors.0.contains_key(field),
                "{field} not reported: {errors}"
            );
        }
        assert!(errors.to_string().contains("between 1 and 1000000, got 0"));
    }

    #[test]
    fn headers_are_checked_and_blank_rows_dropped() {
        let mut req = request("http://h/");
        req.headers = vec![
            HeaderField {
                key: "X-Ok".into(),
                value: "yes".into(),
            },
            HeaderField {
                key: "".into(),
                value: "".into(),
            },
            HeaderField {
                key: "Bad Name".into(),
                value: "v".into(),
            },
            HeaderField {
                key: "X-Nl".into(),
                value: "a\nb".into(),
            },
        ];
        let errors = errors_of(req.clone());
        assert_eq!(errors.0["headers"].len(), 2);
        req.headers.truncate(2);
        assert_eq!(req.validate().unwrap().headers.len(), 1);
    }

    #[test]
    fn method_and_flags() {
        let mut req = request("http://h/");
        req.method = Some("post".into());
        req.insecure = Some("true".into());
        let options = req.validate().unwrap();
        assert_eq!(options.method, "POST");
        assert!(options.insecure);

        req.method = Some("GE T".into());
        req.http2 = Some("maybe".into());
        let errors = errors_of(req);
        assert!(errors.0.contains_key("method"));
        assert!(errors.0.contains_key("http2"));
    }

    #[test]
    fn h2c_flag_does_not_apply_to_https() {
        let mut req = request("https://h/");
        req.http2 = Some("true".into());
        assert!(errors_of(req).0.contains_key("http2"));
    }

    #[test]
    fn durations_include_the_ramp_in_the_closed_model_only() {
        let mut req = request("http://h/");
        req.session_count = Some("5".into());
        req.delay_between_spawns_ms = Some("100".into());
        req.seconds = Some("2".into());
        let closed = req.validate().unwrap();
        assert_eq!(closed.total_duration().as_millis(), 2400);
        assert_eq!(closed.planned_rps(), Some(5.0));
        req.rate = Some("50".into());
        let open = req.validate().unwrap();
        assert_eq!(open.total_duration().as_millis(), 2000);
        assert_eq!(open.planned_rps(), Some(50.0));
    }
}
