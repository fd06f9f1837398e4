//! The unvalidated shape of a spawn, as the CLI, the web form and the JSON
//! API hand it over.
//!
//! Numbers arrive as JSON numbers from the API but as text from the form
//! and the command line, so every scalar field accepts either and is kept as
//! text until validation; that way a wrong type becomes an ordinary field
//! error instead of a deserialisation failure with no field attached.

use serde::{Deserialize, Deserializer, Serialize};

/// One header row: the form's key/value pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderField {
    pub key: String,
    pub value: String,
}

/// A spawn as typed by a person or a script, before any checking.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SpawnRequest {
    #[serde(deserialize_with = "lenient")]
    pub url: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub method: Option<String>,
    pub headers: Vec<HeaderField>,
    #[serde(deserialize_with = "lenient")]
    pub body: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub session_count: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub delay_between_spawns_ms: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub seconds: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub interval_ms: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub rate: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub pool_count: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub pool_size: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub timeout_ms: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub retries: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub http2: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub insecure: Option<String>,
}

impl SpawnRequest {
    /// Every field a spawn request has, by its wire name; anything else a
    /// client sends is a typo the API reports.
    pub const FIELDS: [&'static str; 15] = [
        "url",
        "method",
        "headers",
        "body",
        "session_count",
        "delay_between_spawns_ms",
        "seconds",
        "interval_ms",
        "rate",
        "pool_count",
        "pool_size",
        "timeout_ms",
        "retries",
        "http2",
        "insecure",
    ];
}

/// Accepts a string, number, boolean or null and keeps it as text.
///
/// Objects and arrays are kept as their JSON text so that validation can
/// say "expected a number" about them rather than failing the whole body.
fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text),
        other => Some(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_list_names_exactly_the_fields_of_the_struct() {
        let json = serde_json::to_value(SpawnRequest::default()).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields = SpawnRequest::FIELDS.to_vec();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }

    #[test]
    fn numbers_and_strings_both_arrive_as_text() {
        let request: SpawnRequest = serde_json::from_str(
            r#"{"url": "http://x", "session_count": 5, "seconds": "7", "rate": null,
                "pool_size": [1], "insecure": true}"#,
        )
        .unwrap();
        assert_eq!(request.session_count.as_deref(), Some("5"));
        assert_eq!(request.seconds.as_deref(), Some("7"));
        assert_eq!(request.rate, None);
        assert_eq!(request.pool_size.as_deref(), Some("[1]"));
        assert_eq!(request.insecure.as_deref(), Some("true"));
    }
}
