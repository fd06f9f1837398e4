//! Escaping and the page frame every page shares.

use std::fmt;

use axum::response::Html;

use crate::assets::{SCRIPTS, VERSION_QUERY};

/// Text made safe for HTML element content and quoted attribute values.
pub struct Escape<'a>(pub &'a str);

impl fmt::Display for Escape<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// Shorthand for [`Escape`].
pub fn esc(text: &str) -> Escape<'_> {
    Escape(text)
}

/// What the frame needs besides the body.
pub struct Frame<'a> {
    pub title: &'a str,
    pub node: &'a str,
    pub node_count: usize,
    /// The live stream this page follows, if any.
    pub live: Option<&'a str>,
}

/// Wraps a page body in the shared head, header and footer.
pub fn page(frame: &Frame<'_>, body: &str) -> Html<String> {
    let live = frame
        .live
        .map(|url| format!(" data-live=\"{}\"", esc(url)))
        .unwrap_or_default();
    Html(format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Onslaught</title>
<link rel="icon" href="/assets/icon.svg{v}" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css{v}">
{scripts}</head>
<body>
<header class="topbar">
  <a class="brand" href="/"><img src="/assets/icon.svg{v}" alt="" width="24" height="24">Onslaught</a>
  <nav class="nav">
    <a href="/">Spawns</a>
    <a class="btn btn-primary" href="/spawns/new">New spawn</a>
  </nav>
  <span class="nodes" title="Nodes of this cluster that are up">
    <span class="live-dot" data-field="live" title="Live updates"></span>
    <span data-field="node-count">{nodes}</span>
  </span>
</header>
<main class="main"{live}>
{body}
</main>
<footer class="footer">Node <strong>{node}</strong> · Onslaught {version}</footer>
</body>
</html>
"##,
        title = esc(frame.title),
        v = VERSION_QUERY,
        scripts = SCRIPTS
            .iter()
            .map(|name| format!("<script src=\"/assets/{name}{VERSION_QUERY}\" defer></script>\n"))
            .collect::<String>(),
        nodes = nodes_text(frame.node_count),
        node = esc(frame.node),
        version = env!("CARGO_PKG_VERSION"),
    ))
}

/// "1 node connected", "3 nodes connected".
pub fn nodes_text(count: usize) -> String {
    match count {
        1 => "1 node connected".to_owned(),
        n => format!("{n} nodes connected"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        let text = esc(r#"<a href="x">'&'</a>"#).to_string();
        assert_eq!(
            text,
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("plain ünïcode").to_string(), "plain ünïcode");
    }
}
