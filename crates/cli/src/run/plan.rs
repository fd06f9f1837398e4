//! Turning `onslaught run` flags into a checked plan, before anything is sent.

use onslaught_engine::{HeaderField, SpawnOptions, SpawnRequest};
use onslaught_report::Threshold;

use crate::args::{flag_for_field, RunArgs};

/// Everything a run needs, checked.
pub struct Plan {
    pub options: SpawnOptions,
    pub thresholds: Vec<Threshold>,
}

impl Plan {
    /// Checks every flag; the error is one line per problem, each naming
    /// its flag.
    pub fn from_args(args: &RunArgs) -> Result<Plan, String> {
        let mut problems = Vec::new();

        let headers = args
            .headers
            .iter()
            .filter_map(|line| match parse_header(line) {
                Ok(header) => Some(header),
                Err(message) => {
                    problems.push(format!("--header {line:?}: {message}"));
                    None
                }
            })
            .collect();
        let body = match args.body.as_deref().map(read_body).transpose() {
            Ok(body) => body,
            Err(message) => {
                problems.push(format!("--body: {message}"));
                None
            }
        };
        let thresholds = args
            .thresholds
            .iter()
            .filter_map(|expr| match expr.parse::<Threshold>() {
                Ok(threshold) => Some(threshold),
                Err(error) => {
                    problems.push(format!("--threshold {expr:?}: {error}"));
                    None
                }
            })
            .collect();

        if let Some(path) = &args.out {
            if let Err(message) = check_out_path(path) {
                problems.push(format!("--out {}: {message}", path.display()));
            }
        }

        let request = SpawnRequest {
            url: Some(args.url.clone()),
            method: Some(args.method.clone()),
            headers,
            body,
            session_count: args.sessions.clone(),
            delay_between_spawns_ms: args.delay_between_spawns_ms.clone(),
            seconds: args.seconds.clone(),
            interval_ms: args.interval_ms.clone(),
            rate: args.rate.clone(),
            pool_count: args.pool_count.clone(),
            pool_size: args.pool_size.clone(),
            timeout_ms: args.timeout_ms.clone(),
            retries: args.retries.clone(),
            http2: Some(args.http2.to_string()),
            insecure: Some(args.insecure.to_string()),
        };
        let options = match request.validate() {
            Ok(options) => Some(options),
            Err(errors) => {
                for (field, message) in errors.iter() {
                    problems.push(format!("{} {message}", flag_for_field(field)));
                }
                None
            }
        };

        match options {
            Some(options) if problems.is_empty() => Ok(Plan {
                options,
                thresholds,
            }),
            _ => Err(problems.join("\n")),
        }
    }
}

fn parse_header(line: &str) -> Result<HeaderField, String> {
    let (key, value) = line
        .split_once(':')
        .ok_or("expected 'Key: Value', with a colon between name and value")?;
    if key.trim().is_empty() {
        return Err("the header name before the colon is empty".into());
    }
    Ok(HeaderField {
        key: key.trim().to_owned(),
        value: value.trim().to_owned(),
    })
}

/// The report is written at the end; a path that cannot work is caught
/// now, before the run, rather than after minutes of load.
fn check_out_path(path: &std::path::Path) -> Result<(), String> {
    if path.is_dir() {
        return Err("is a directory".into());
    }
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    if !parent.is_dir() {
        return Err(format!("folder {} does not exist", parent.display()));
    }
    Ok(())
}

/// `@path` reads the body from a file; anything else is the body itself.
fn read_body(text: &str) -> Result<String, String> {
    let Some(path) = text.strip_prefix('@') else {
        return Ok(text.to_owned());
    };
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path:?}: {e}"))?;
    // Bodies travel inside JSON between nodes and through the API, so they
    // are text; binary payloads would need an encoding this does not have.
    String::from_utf8(bytes)
        .map_err(|_| format!("{path:?} is not UTF-8 text; binary bodies are not supported"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_need_a_colon_and_a_name() {
        assert_eq!(parse_header("A: b:c").unwrap().value, "b:c");
        assert!(parse_header("no colon").is_err());
        assert!(parse_header(": v").is_err());
    }

    #[test]
    fn body_from_a_missing_file_names_it() {
        let error = read_body("@/nonexistent/body.json").unwrap_err();
        assert!(error.contains("/nonexistent/body.json"), "{error}");
        assert_eq!(read_body("plain").unwrap(), "plain");
    }
}
