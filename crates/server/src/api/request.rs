//! A spawn request from a JSON body, with every problem named by field.

use onslaught_engine::{FieldErrors, HeaderField, SpawnRequest};
use serde_json::{Map, Value};

use super::error::ApiError;

/// Reads the body; 400 if it is not JSON, 422 if its shape is wrong.
pub fn from_json(body: &[u8]) -> Result<SpawnRequest, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let Value::Object(mut fields) = value else {
        let mut errors = FieldErrors::default();
        errors.add(
            "request",
            "expected a JSON object of spawn fields, e.g. {\"url\": \"http://127.0.0.1:8080/\"}",
        );
        return Err(ApiError::Invalid(errors));
    };

    let mut errors = FieldErrors::default();
    for key in fields
        .keys()
        .filter(|k| !SpawnRequest::FIELDS.contains(&k.as_str()))
    {
        errors.add(
            key,
            format!(
                "is not a spawn field; expected one of {}",
                SpawnRequest::FIELDS.join(", ")
            ),
        );
    }
    let headers = headers(fields.remove("headers"), &mut errors);
    fields.retain(|key, _| SpawnRequest::FIELDS.contains(&key.as_str()));

    // Every remaining field takes any scalar as text, so this cannot fail
    // on the values themselves; it is mapped all the same.
    let mut request: SpawnRequest = serde_json::from_value(Value::Object(fields))
        .map_err(|e| ApiError::BadRequest(format!("cannot read the spawn: {e}")))?;
    request.headers = headers;
    if errors.is_empty() {
        Ok(request)
    } else {
        Err(ApiError::Invalid(errors))
    }
}

fn headers(value: Option<Value>, errors: &mut FieldErrors) -> Vec<HeaderField> {
    let rows = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(rows)) => rows,
        Some(_) => {
            errors.add(
                "headers",
                "must be a list of {\"key\": ..., \"value\": ...} objects",
            );
            return Vec::new();
        }
    };
    let mut headers = Vec::with_capacity(rows.len());
    for (index, row) in rows.into_iter().enumerate() {
        match row {
            Value::Object(row) => match header_row(&row) {
                Some(header) => headers.push(header),
                None => errors.add(
                    "headers",
                    format!("row {index} needs a string \"key\" and a string \"value\""),
                ),
            },
            _ => errors.add(
                "headers",
                format!("row {index} is not an object with \"key\" and \"value\""),
            ),
        }
    }
    headers
}

fn header_row(row: &Map<String, Value>) -> Option<HeaderField> {
    let text = |name: &str| match row.get(name) {
        Some(Value::String(text)) => Some(text.clone()),
        None | Some(Value::Null) if name == "value" => Some(String::new()),
        _ => None,
    };
    Some(HeaderField {
        key: text("key")?,
        value: text("value")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(body: &str) -> FieldErrors {
        match from_json(body.as_bytes()) {
            Err(ApiError::Invalid(errors)) => errors,
            other => panic!("expected field errors for {body}, got {other:?}"),
        }
    }

    #[test]
    fn reads_every_field_as_the_form_would() {
        let request = from_json(
            br#"{"url": "http://127.0.0.1:1/", "session_count": 3, "rate": null,
                 "headers": [{"key": "X-A", "value": "1"}], "insecure": true}"#,
        )
        .unwrap();
        assert_eq!(request.session_count.as_deref(), Some("3"));
        assert_eq!(request.headers[0].key, "X-A");
        assert!(request.validate().is_ok());
    }

    #[test]
    fn shape_problems_are_field_errors() {
        assert!(errors(r#"[1, 2]"#).0.contains_key("request"));
        assert!(errors(r#"{"url": "http://h/", "sessions": 5}"#)
            .0
            .contains_key("sessions"));
        assert!(errors(r#"{"url": "http://h/", "headers": "X-A: 1"}"#)
            .0
            .contains_key("headers"));
        assert!(errors(r#"{"url": "http://h/", "headers": [{"key": 1}]}"#)
            .0
            .contains_key("headers"));
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            from_json(b"{\"url\": "),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(from_json(b""), Err(ApiError::BadRequest(_))));
    }
}
