//! One spawn as a section of a page: state, time, headline totals, options,
//! merged charts and one card per spawner. The list page, the spawn page
//! and live insertion of new spawns all render it here.

use onslaught_engine::{SpawnOptions, SpawnerState, SpawnerStatus};
use std::fmt::Write;

use super::format;
use super::html::esc;
use crate::registry::{SpawnRecord, SpawnerInfo};

/// Where the Stop button returns to: the list or the spawn's own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    List,
    Page,
}

pub fn state_name(state: SpawnerState) -> &'static str {
    match state {
        SpawnerState::Running => "running",
        SpawnerState::Finished => "finished",
        SpawnerState::Stopped => "stopped",
    }
}

/// The whole section of one spawn.
pub fn section(record: &SpawnRecord, place: Place) -> String {
    let state = state_name(record.state());
    let id = record.id;
    let options = &record.options;
    let title = match place {
        Place::List => format!(
            "<a href=\"/spawns/{id}\"><span class=\"method\">{}</span> {}</a>",
            esc(&options.method),
            esc(&options.url)
        ),
        Place::Page => format!(
            "<span class=\"method\">{}</span> {}",
            esc(&options.method),
            esc(&options.url)
        ),
    };
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        r#"<section class="spawn" data-spawn="{id}" data-state="{state}">
<header class="spawn-head">
  <div class="spawn-title">
    <span class="badge state-{state}" data-field="state">{state}</span>
    <h2>{title}</h2>
    <p class="muted small">Spawn <code>{id}</code> · started {created} by {origin}</p>
  </div>
  {stop}
</header>
{facts}
<details class="options"><summary>Options</summary>{options}</details>
<div class="charts">
  {latency}
  {rps}
</div>
{totals}
<h3 class="spawners-title">Spawners <span class="muted" data-field="spawner-count">{num_spawners}</span></h3>
<div class="spawners">{spawners}</div>
</section>"#,
        created = crate::time::rfc3339(record.created_at()).replace('T', " "),
        origin = esc(&record.origin),
        stop = stop_form(record, place),
        facts = facts(record),
        options = options_table(options, record.spawners().len()),
        latency = chart("latency", "merged", "Latency, all nodes"),
        rps = chart("rps", "merged", "Requests per second, all nodes"),
        totals = if place == Place::Page {
            totals_tables()
        } else {
            String::new()
        },
        num_spawners = record.spawners().len(),
        spawners = record
            .spawners()
            .iter()
            .map(spawner_card)
            .collect::<String>(),
    );
    out
}

fn stop_form(record: &SpawnRecord, place: Place) -> String {
    let back = match place {
        Place::List => "/".to_owned(),
        Place::Page => format!("/spawns/{}", record.id),
    };
    format!(
        r#"<form class="stop-form" method="post" action="/spawns/{id}/stop" data-show-when="running"{hidden}>
    <input type="hidden" name="return" value="{back}">
    <button class="btn btn-danger" type="submit">Stop</button>
  </form>"#,
        id = record.id,
        hidden = if record.state() == SpawnerState::Running {
            ""
        } else {
            " hidden"
        },
        back = esc(&back),
    )
}

fn facts(record: &SpawnRecord) -> String {
    let summary = record.summary();
    let report = &summary.report;
    let fact = |label: &str, field: &str, value: String| {
        format!("<div><dt>{label}</dt><dd data-field=\"{field}\">{value}</dd></div>")
    };
    let remaining = match record.state() {
        SpawnerState::Running => format::duration(record.remaining()),
        _ => "–".to_owned(),
    };
    [
        fact("Elapsed", "elapsed", format::duration(record.elapsed())),
        fact("Remaining", "remaining", remaining),
        fact("Requests", "requests", format::count(report.requests)),
        fact("Req/s", "rps", format::rate(report.rps)),
        fact(
            "p50",
            "p50",
            latency_or_dash(report.requests, report.latency_ms.p50),
        ),
        fact(
            "p99",
            "p99",
            latency_or_dash(report.requests, report.latency_ms.p99),
        ),
        fact("Errors", "errors", format!("{:.1}%", report.error_percent))
            .replace(
                "<dt>",
                "<dt title=\"Requests that got no HTTP answer (connect, timeout, reset, tls, \
                 protocol, other). 5xx answers are counted under their status.\">",
            )
            .replace(
                "<dd",
                if report.error_percent > 0.0 {
                    "<dd class=\"bad\""
                } else {
                    "<dd"
                },
            ),
    ]
    .into_iter()
    .fold(String::from("<dl class=\"facts\">"), |out, f| out + &f)
        + "</dl>"
}

fn latency_or_dash(requests: u64, ms: f64) -> String {
    if requests == 0 {
        "–".to_owned()
    } else {
        format::latency(ms)
    }
}

/// The options as typed, per node, with what they add up to over the
/// `num_nodes` nodes running the spawn.
fn options_table(options: &SpawnOptions, num_nodes: usize) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("URL", esc(&options.url).to_string()),
        ("Method", esc(&options.method).to_string()),
    ];
    if !options.headers.is_empty() {
        let headers = options
            .headers
            .iter()
            .map(|h| format!("<code>{}: {}</code>", esc(&h.key), esc(&h.value)))
            .collect::<Vec<_>>()
            .join("<br>");
        rows.push(("Headers", headers));
    }
    if !options.body.is_empty() {
        let preview: String = options.body.chars().take(400).collect();
        let more = if preview.len() < options.body.len() {
            "…"
        } else {
            ""
        };
        rows.push(("Body", format!("<pre>{}{more}</pre>", esc(&preview))));
    }
    let num_nodes = num_nodes.max(1);
    rows.push(("Sessions per node", options.session_count.to_string()));
    rows.push((
        "Sessions in the cluster",
        format!(
            "{} on {num_nodes} node{}",
            u64::from(options.session_count) * num_nodes as u64,
            if num_nodes == 1 { "" } else { "s" }
        ),
    ));
    rows.push((
        "Delay between spawns",
        format!("{} ms", options.delay_between_spawns_ms),
    ));
    rows.push(("Seconds", options.seconds.to_string()));
    let pace = match (options.rate, options.interval_ms) {
        (Some(rate), _) => format!("{rate} req/s per node (open model)"),
        (None, 0) => "back-to-back (interval 0)".to_owned(),
        (None, interval) => format!("every {interval} ms per session"),
    };
    rows.push(("Pace", pace));
    if let Some(rps) = options.planned_rps() {
        rows.push((
            "Planned rate",
            format!(
                "{} req/s per node, {} req/s in the cluster",
                format::rate(rps),
                format::rate(rps * num_nodes as f64)
            ),
        ));
    }
    rows.push((
        "Pools",
        format!("{} × {} connections", options.pool_count, options.pool_size),
    ));
    rows.push(("Timeout", format!("{} ms", options.timeout_ms)));
    rows.push(("Retries", options.retries.to_string()));
    if options.http2 {
        rows.push(("HTTP/2", "prior knowledge (h2c)".to_owned()));
    }
    if options.insecure {
        rows.push(("TLS", "any certificate accepted".to_owned()));
    }
    rows.push((
        "Planned duration",
        format::duration(options.total_duration()),
    ));
    let body: String = rows
        .into_iter()
        .map(|(label, value)| format!("<tr><th>{label}</th><td>{value}</td></tr>"))
        .collect();
    format!("<table class=\"kv\">{body}</table>")
}

/// A chart placeholder the page script draws into.
fn chart(kind: &str, series: &str, caption: &str) -> String {
    format!(
        r#"<figure class="chart" data-chart="{kind}" data-series="{series}"><figcaption>{caption}</figcaption><div class="plot" data-seconds="0"><p class="plot-empty">Waiting for the first second of data…</p></div><div class="legend"></div><div class="readout muted small"></div></figure>"#,
        series = esc(series),
    )
}

/// Empty tables that the page script fills from live totals.
fn totals_tables() -> String {
    r#"<div class="totals">
  <div><h3>Outcomes</h3><table class="grid" data-table="outcomes"><thead><tr><th>Outcome</th><th class="num">Requests</th><th class="num">Share</th></tr></thead><tbody></tbody></table></div>
  <div><h3>Latency</h3><table class="grid" data-table="latency"><thead><tr><th>Percentile</th><th class="num">Latency</th></tr></thead><tbody></tbody></table></div>
</div>"#
        .to_owned()
}

fn spawner_card(info: &SpawnerInfo) -> String {
    let status = &info.status;
    // A down node's spawner stopped reporting; its last state is stale.
    let state = if info.node_down {
        "node down"
    } else {
        state_name(status.state)
    };
    let badge = if info.node_down { "down" } else { state };
    let short_id: String = status.id.chars().take(8).collect();
    format!(
        r#"<article class="spawner" data-spawner="{id}">
  <header><strong class="node">{node}</strong> <code title="Spawner {id}">{short_id}</code> <span class="badge state-{badge}" data-field="spawner-state">{state}</span></header>
  <div class="sessions"><span class="muted">Sessions</span> <span data-field="sessions">{active} / {target}</span>
    <progress max="{target}" value="{active}" data-field="sessions-bar"></progress></div>
  <div class="pools"><span class="muted">Pool connections in use</span> <span data-field="pools">{pools}</span></div>
  {chart}
</article>"#,
        id = esc(&status.id),
        node = esc(&status.node),
        active = status.sessions_active,
        target = status.sessions_target,
        pools = pools_text(status),
        chart = chart(
            "latency",
            &format!("spawner:{}", status.id),
            "Latency on this node"
        ),
    )
}

fn pools_text(status: &SpawnerStatus) -> String {
    status
        .pools
        .iter()
        .map(|p| {
            format!(
                "<span class=\"pool\">#{} {}/{}</span>",
                p.index, p.in_use, p.size
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}
