//! `/spawns/new` and its POST: every field of a spawn with short help,
//! errors next to their fields, and the typed values kept.

use std::fmt::Write;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use onslaught_engine::{defaults, FieldErrors, HeaderField, SpawnRequest};

use super::frame;
use super::html::{esc, page as frame_page};
use crate::app::App;

/// Blank header rows offered besides the filled ones, for a browser
/// without the script (which adds rows on demand).
const BLANK_HEADER_ROWS: usize = 1;

pub async fn page(State(app): State<App>) -> Html<String> {
    render(&app, &default_request(), &FieldErrors::default())
}

/// `POST /spawns`: the same creation as the API's, then the spawn's page.
pub async fn submit(State(app): State<App>, body: Bytes) -> Response {
    let request = from_form(&body);
    match app.registry.create(&request) {
        Ok(id) => Redirect::to(&format!("/spawns/{id}")).into_response(),
        Err(error) => {
            let errors = error.into_field_errors();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&app, &request, &errors),
            )
                .into_response()
        }
    }
}

/// Reads an urlencoded form; header rows come as repeated
/// `header_key` / `header_value` pairs, in order.
pub fn from_form(body: &[u8]) -> SpawnRequest {
    let mut request = SpawnRequest::default();
    let (mut keys, mut values) = (Vec::new(), Vec::new());
    for (key, value) in form_urlencoded::parse(body) {
        let value = value.into_owned();
        let slot = match key.as_ref() {
            "url" => &mut request.url,
            "method" => &mut request.method,
            "body" => &mut request.body,
            "session_count" => &mut request.session_count,
            "delay_between_spawns_ms" => &mut request.delay_between_spawns_ms,
            "seconds" => &mut request.seconds,
            "interval_ms" => &mut request.interval_ms,
            "rate" => &mut request.rate,
            "pool_count" => &mut request.pool_count,
            "pool_size" => &mut request.pool_size,
            "timeout_ms" => &mut request.timeout_ms,
            "retries" => &mut request.retries,
            "http2" => &mut request.http2,
            "insecure" => &mut request.insecure,
            "header_key" => {
                keys.push(value);
                continue;
            }
            "header_value" => {
                values.push(value);
                continue;
            }
            _ => continue,
        };
        *slot = Some(value);
    }
    values.resize(keys.len().max(values.len()), String::new());
    keys.resize(values.len(), String::new());
    request.headers = keys
        .into_iter()
        .zip(values)
        .map(|(key, value)| HeaderField { key, value })
        .collect();
    request
}

fn default_request() -> SpawnRequest {
    SpawnRequest {
        method: Some(defaults::METHOD.to_owned()),
        session_count: Some(defaults::SESSIONS.to_string()),
        delay_between_spawns_ms: Some(defaults::DELAY_BETWEEN_SPAWNS_MS.to_string()),
        seconds: Some(defaults::SECONDS.to_string()),
        interval_ms: Some(defaults::INTERVAL_MS.to_string()),
        pool_count: Some(defaults::POOL_COUNT.to_string()),
        pool_size: Some(defaults::POOL_SIZE.to_string()),
        timeout_ms: Some(defaults::TIMEOUT_MS.to_string()),
        retries: Some(defaults::RETRIES.to_string()),
        ..SpawnRequest::default()
    }
}

fn render(app: &App, request: &SpawnRequest, errors: &FieldErrors) -> Html<String> {
    let form = Form { request, errors };
    let body = format!(
        r#"<div class="page-head"><h1>New spawn</h1></div>
{summary}
<form class="spawn-form" method="post" action="/spawns" novalidate data-node-count="{nodes}">
<fieldset><legend>Target</legend>
{url}
{method}
{headers}
{body}
</fieldset>
<fieldset><legend>Load</legend>
<p class="help">A <strong>session</strong> is one simulated user: it sends a request, waits for the answer,
then waits for its next turn, until its time is up. Every node runs all of these sessions, so the request
rate per node is about <strong>sessions × (1000 / interval)</strong> per second.</p>
<div class="row">{sessions}{interval}</div>
<div class="row">{delay}{seconds}</div>
{rate}
<p class="estimate" data-field="estimate"></p>
</fieldset>
<details class="advanced"{open}><summary>Connections and protocol</summary>
<fieldset>
<div class="row">{pool_count}{pool_size}</div>
<div class="row">{timeout}{retries}</div>
{http2}
{insecure}
</fieldset>
</details>
<div class="actions"><button class="btn btn-primary btn-large" type="submit">Run</button>
<a class="btn" href="/">Cancel</a></div>
</form>"#,
        summary = form.summary(),
        nodes = app.registry.node_count(),
        url = form.text("url", "URL", "The address to load, http:// or https://.", "http://127.0.0.1:8080/", "url"),
        method = form.method(),
        headers = form.headers(),
        body = form.textarea("body", "Body", "Sent with every request; leave empty for none."),
        sessions = form.number("session_count", "Sessions per node", "Simulated users on each node."),
        interval = form.number("interval_ms", "Interval (ms)", "Each session's pace: one request every interval. 0 sends back-to-back, as fast as answers come."),
        delay = form.number("delay_between_spawns_ms", "Delay between spawns (ms)", "Ramp-up: the pause between starting one session and the next."),
        seconds = form.number("seconds", "Seconds", "How long each session runs once started."),
        rate = form.number("rate", "Rate (req/s per node, optional)", "Open model: a fixed number of requests per second per node, whatever the target does. Sessions then only cap the requests in flight. Leave empty for paced sessions."),
        open = if form.advanced_has_errors() { " open" } else { "" },
        pool_count = form.number("pool_count", "Pool count", "HTTP connection pools per node; sessions are spread over them."),
        pool_size = form.number("pool_size", "Pool size", "Connections per pool at most."),
        timeout = form.number("timeout_ms", "Timeout (ms)", "A request without a full answer by then counts as a timeout."),
        retries = form.number("retries", "Retries", "Retries of connection failures; every attempt is counted."),
        http2 = form.checkbox("http2", "HTTP/2 over plain TCP (h2c prior knowledge)"),
        insecure = form.checkbox("insecure", "Accept any TLS certificate (self-signed targets)"),
    );
    frame_page(&frame(app, "New spawn", None), &body)
}

/// The typed values and the errors to show beside them.
struct Form<'a> {
    request: &'a SpawnRequest,
    errors: &'a FieldErrors,
}

impl Form<'_> {
    fn value(&self, name: &str) -> &str {
        let r = self.request;
        let value = match name {
            "url" => &r.url,
            "method" => &r.method,
            "body" => &r.body,
            "session_count" => &r.session_count,
            "delay_between_spawns_ms" => &r.delay_between_spawns_ms,
            "seconds" => &r.seconds,
            "interval_ms" => &r.interval_ms,
            "rate" => &r.rate,
            "pool_count" => &r.pool_count,
            "pool_size" => &r.pool_size,
            "timeout_ms" => &r.timeout_ms,
            "retries" => &r.retries,
            "http2" => &r.http2,
            "insecure" => &r.insecure,
            _ => &None,
        };
        value.as_deref().unwrap_or_default()
    }

    /// Error paragraphs of a field, and the attributes that tie them to it.
    fn error_parts(&self, name: &str) -> (String, String) {
        let Some(messages) = self.errors.0.get(name) else {
            return (String::new(), String::new());
        };
        let text: String = messages
            .iter()
            .map(|m| {
                format!(
                    "<p class=\"field-error\" id=\"error-{name}\">{}</p>",
                    esc(m)
                )
            })
            .collect();
        (
            text,
            format!(" aria-invalid=\"true\" aria-describedby=\"error-{name}\""),
        )
    }

    fn text(&self, name: &str, label: &str, help: &str, placeholder: &str, mode: &str) -> String {
        let (errors, attrs) = self.error_parts(name);
        format!(
            r#"<div class="field{class}"><label for="f-{name}">{label}</label>
<input id="f-{name}" name="{name}" type="text" inputmode="{mode}" value="{value}" placeholder="{placeholder}" autocomplete="off" spellcheck="false"{attrs}>
{errors}<p class="help">{help}</p></div>"#,
            class = if errors.is_empty() { "" } else { " has-error" },
            value = esc(self.value(name)),
        )
    }

    fn number(&self, name: &str, label: &str, help: &str) -> String {
        let (errors, attrs) = self.error_parts(name);
        format!(
            r#"<div class="field{class}"><label for="f-{name}">{label}</label>
<input id="f-{name}" name="{name}" type="text" inputmode="numeric" value="{value}"{attrs}>
{errors}<p class="help">{help}</p></div>"#,
            class = if errors.is_empty() { "" } else { " has-error" },
            value = esc(self.value(name)),
        )
    }

    fn method(&self) -> String {
        let (errors, attrs) = self.error_parts("method");
        format!(
            r#"<div class="field field-short{class}"><label for="f-method">Method</label>
<input id="f-method" name="method" type="text" list="methods" value="{value}" autocomplete="off"{attrs}>
<datalist id="methods"><option value="GET"><option value="POST"><option value="PUT"><option value="PATCH"><option value="DELETE"><option value="HEAD"><option value="OPTIONS"></datalist>
{errors}</div>"#,
            class = if errors.is_empty() { "" } else { " has-error" },
            value = esc(self.value("method")),
        )
    }

    fn textarea(&self, name: &str, label: &str, help: &str) -> String {
        let (errors, attrs) = self.error_parts(name);
        format!(
            r#"<div class="field{class}"><label for="f-{name}">{label}</label>
<textarea id="f-{name}" name="{name}" rows="3" spellcheck="false"{attrs}>{value}</textarea>
{errors}<p class="help">{help}</p></div>"#,
            class = if errors.is_empty() { "" } else { " has-error" },
            value = esc(self.value(name)),
        )
    }

    fn checkbox(&self, name: &str, label: &str) -> String {
        let (errors, attrs) = self.error_parts(name);
        let checked = matches!(self.value(name), "on" | "true" | "1");
        format!(
            r#"<div class="field field-check{class}"><label><input name="{name}" type="checkbox"{checked}{attrs}> {label}</label>{errors}</div>"#,
            class = if errors.is_empty() { "" } else { " has-error" },
            checked = if checked { " checked" } else { "" },
        )
    }

    fn headers(&self) -> String {
        let (errors, attrs) = self.error_parts("headers");
        let blank = HeaderField {
            key: String::new(),
            value: String::new(),
        };
        let rows = self
            .request
            .headers
            .iter()
            .filter(|h| !h.key.is_empty() || !h.value.is_empty())
            .chain(std::iter::repeat_n(&blank, BLANK_HEADER_ROWS));
        let mut html = String::new();
        for header in rows {
            let _ = write!(
                html,
                r#"<div class="header-row"><input name="header_key" type="text" placeholder="Name, e.g. Authorization" value="{}" aria-label="Header name" autocomplete="off" spellcheck="false"{attrs}><input name="header_value" type="text" placeholder="Value" value="{}" aria-label="Header value" autocomplete="off" spellcheck="false"><button type="button" class="btn btn-icon" data-action="remove-header" aria-label="Remove this header" title="Remove">×</button></div>"#,
                esc(&header.key),
                esc(&header.value),
            );
        }
        format!(
            r#"<div class="field{class}"><span class="label">Headers</span>
<div class="header-rows" data-field="header-rows">{html}</div>
<button type="button" class="btn btn-small" data-action="add-header">+ Add header</button>
{errors}<p class="help">Sent with every request, one name and value per row.</p></div>"#,
            class = if errors.is_empty() { "" } else { " has-error" },
        )
    }

    /// A box on top listing every problem, including ones with no field.
    fn summary(&self) -> String {
        if self.errors.is_empty() {
            return String::new();
        }
        let items: String = self
            .errors
            .iter()
            .map(|(field, message)| {
                format!("<li><strong>{}</strong> {}</li>", esc(field), esc(message))
            })
            .collect();
        format!(
            r#"<div class="alert" role="alert"><p>The spawn was not started. Please fix:</p><ul>{items}</ul></div>"#
        )
    }

    fn advanced_has_errors(&self) -> bool {
        [
            "pool_count",
            "pool_size",
            "timeout_ms",
            "retries",
            "http2",
            "insecure",
        ]
        .iter()
        .any(|f| self.errors.0.contains_key(*f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_and_header_rows_become_a_request() {
        let body = b"url=http%3A%2F%2F127.0.0.1%3A9%2F&session_count=3&header_key=X-A&header_value=1&header_key=&header_value=&header_key=X-B&header_value=two+words&insecure=on&unknown=x";
        let request = from_form(body);
        assert_eq!(request.url.as_deref(), Some("http://127.0.0.1:9/"));
        assert_eq!(request.session_count.as_deref(), Some("3"));
        assert_eq!(request.headers.len(), 3);
        assert_eq!(request.headers[2].value, "two words");
        let options = request.validate().unwrap();
        assert_eq!(options.headers.len(), 2);
        assert!(options.insecure);
    }
}
