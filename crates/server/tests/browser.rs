//! The pages in a real headless Chromium: fill the form, watch the chart
//! grow, stop the spawn, see field errors, and be refused without a password.
//!
//! Needs Debian's `chromium` and `chromium-driver`; without them these
//! tests fail with a message saying what to install.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::webdriver::Browser;
use common::World;
use onslaught_server::ServeConfig;
use tokio::sync::Mutex;
use tokio::time::{sleep, Instant};

const PASSWORD: &str = "browser-pw";

/// One Chromium at a time: the machine has two cores.
static ONE_BROWSER: Mutex<()> = Mutex::const_new(());

async fn protected_world() -> World {
    World::with_config(ServeConfig::for_test().with_password(PASSWORD)).await
}

fn with_credentials(world: &World, path: &str) -> String {
    format!("http://admin:{PASSWORD}@{}{path}", world.addr())
}

fn artifact(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts");
    std::fs::create_dir_all(&dir).expect("create artifacts/");
    dir.join(name)
}

/// The number of seconds drawn in the spawn's merged latency chart.
async fn seconds_charted(browser: &Browser) -> u64 {
    let css = "figure[data-chart=latency][data-series=merged] .plot";
    let seconds = browser.attribute_of(css, "data-seconds").await;
    seconds.and_then(|s| s.parse().ok()).unwrap_or(0)
}

async fn wait_for_seconds(browser: &Browser, at_least: u64, within: Duration) -> u64 {
    let deadline = Instant::now() + within;
    loop {
        let seconds = seconds_charted(browser).await;
        if seconds >= at_least {
            return seconds;
        }
        assert!(
            Instant::now() < deadline,
            "chart shows {seconds} seconds, wanted {at_least}"
        );
        sleep(Duration::from_millis(200)).await;
    }
}

async fn wait_for_text(browser: &Browser, css: &str, wanted: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        // Compared without case: badges are upper-cased by CSS, and
        // WebDriver reads text as rendered.
        let text = browser.text_of(css).await;
        if text
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(wanted))
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never read {wanted:?}, last {text:?}"
        );
        sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spawn_from_the_form_charts_live_and_stops_from_its_page() {
    let _one = ONE_BROWSER.lock().await;
    let world = protected_world().await;
    let browser = Browser::start(1280, 1000).await;

    browser.goto(&with_credentials(&world, "/spawns/new")).await;
    browser
        .fill("#f-url", &format!("{}/browser", world.target.url()))
        .await;
    browser.fill("#f-session_count", "4").await;
    browser.fill("#f-interval_ms", "100").await;
    browser.fill("#f-seconds", "60").await;
    browser.fill("input[name=header_key]", "X-From").await;
    browser.fill("input[name=header_value]", "browser").await;
    let add = browser
        .find("[data-action=add-header]")
        .await
        .expect("add header button");
    browser.click(&add).await;
    let rows = browser
        .execute("return document.querySelectorAll('.header-row').length")
        .await;
    assert_eq!(rows, 2, "Add header adds a row");
    let estimate = browser
        .find("[data-field=estimate]")
        .await
        .expect("estimate");
    assert!(browser
        .text(&estimate)
        .await
        .contains("40.0 req/s per node"));
    let run = browser
        .find("form.spawn-form button[type=submit]")
        .await
        .expect("Run button");
    browser.click(&run).await;

    browser
        .wait_for("section.spawn[data-state]", Duration::from_secs(5))
        .await;
    let url = browser.current_url().await;
    let id = url.rsplit('/').next().unwrap_or_default().to_owned();
    assert!(
        url.contains("/spawns/") && id.len() == 36,
        "landed on {url}"
    );

    let first = wait_for_seconds(&browser, 2, Duration::from_secs(5)).await;
    let later = wait_for_seconds(&browser, first + 2, Duration::from_secs(5)).await;
    assert!(later > first);
    let requests = browser
        .find("[data-field=requests]")
        .await
        .expect("requests");
    assert_ne!(browser.text(&requests).await, "0");
    let spawner = browser
        .find(".spawner [data-field=sessions]")
        .await
        .expect("spawner card");
    assert_eq!(browser.text(&spawner).await, "4 / 4");
    std::fs::write(artifact("spawn-page.png"), browser.screenshot().await)
        .expect("save screenshot");

    browser.set_window_size(390, 1400).await;
    sleep(Duration::from_millis(400)).await;
    std::fs::write(artifact("spawn-page-phone.png"), browser.screenshot().await)
        .expect("save screenshot");
    browser.set_window_size(1280, 1000).await;

    let stop = browser
        .find(".stop-form button")
        .await
        .expect("Stop button");
    browser.click(&stop).await;
    wait_for_text(
        &browser,
        "section.spawn [data-field=state]",
        "stopped",
        Duration::from_secs(4),
    )
    .await;
    let hidden = browser
        .execute("return document.querySelector('.stop-form').hidden")
        .await;
    assert_eq!(hidden, true, "Stop is hidden once stopped");
    let spawn = world
        .get(&format!("/api/spawns/{id}"))
        .basic_auth("admin", PASSWORD)
        .send()
        .await
        .json();
    assert_eq!(spawn["state"], "stopped");
    assert_eq!(spawn["options"]["headers"][0]["key"], "X-From");

    // A second spawn whose every request is refused (nothing listens on
    // port 1): the list shows both, errors charted beside statuses.
    let refused = serde_json::json!({"url": "http://127.0.0.1:1/", "session_count": 2, "interval_ms": 100, "seconds": 2});
    let created = world
        .post("/api/spawns")
        .basic_auth("admin", PASSWORD)
        .json(&refused)
        .send()
        .await;
    assert_eq!(created.status, hyper::StatusCode::CREATED);
    browser.goto(&with_credentials(&world, "/")).await;
    wait_for_text(
        &browser,
        "section.spawn [data-field=state]",
        "finished",
        Duration::from_secs(5),
    )
    .await;
    let sections = browser
        .execute("return document.querySelectorAll('section.spawn').length")
        .await;
    assert_eq!(sections, 2);
    let legend = browser.find("section.spawn .legend").await.expect("legend");
    assert!(browser.text(&legend).await.contains("connect"));
    std::fs::write(artifact("list-page.png"), browser.screenshot().await).expect("save screenshot");
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_url_is_shown_next_to_its_field_with_the_values_kept() {
    let _one = ONE_BROWSER.lock().await;
    let world = protected_world().await;
    let browser = Browser::start(1280, 1000).await;

    browser.goto(&with_credentials(&world, "/spawns/new")).await;
    browser.fill("#f-url", "not a url").await;
    browser.fill("#f-session_count", "7").await;
    browser.fill("input[name=header_key]", "X-Kept").await;
    let run = browser
        .find("form.spawn-form button[type=submit]")
        .await
        .expect("Run button");
    browser.click(&run).await;

    let error = browser.wait_for("#error-url", Duration::from_secs(5)).await;
    assert!(
        browser.text(&error).await.contains("not a valid URL"),
        "{}",
        browser.text(&error).await
    );
    let url = browser.find("#f-url").await.expect("url field");
    assert_eq!(browser.property(&url, "value").await, "not a url");
    assert_eq!(
        browser.attribute(&url, "aria-invalid").await.as_deref(),
        Some("true")
    );
    let sessions = browser
        .find("#f-session_count")
        .await
        .expect("sessions field");
    assert_eq!(browser.property(&sessions, "value").await, "7");
    let header = browser
        .find("input[name=header_key]")
        .await
        .expect("header row");
    assert_eq!(browser.property(&header, "value").await, "X-Kept");
    std::fs::write(artifact("form-error.png"), browser.screenshot().await)
        .expect("save screenshot");

    let spawns = world
        .get("/api/spawns")
        .basic_auth("admin", PASSWORD)
        .send()
        .await
        .json();
    assert_eq!(spawns, serde_json::json!([]));
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_needs_credentials_and_shows_new_spawns_live() {
    let _one = ONE_BROWSER.lock().await;
    let world = protected_world().await;
    let browser = Browser::start(1280, 800).await;

    browser.goto(&format!("http://{}/", world.addr())).await;
    let text = browser
        .execute("return document.body ? document.body.innerText : ''")
        .await;
    let text = text.as_str().unwrap_or_default();
    assert!(
        !text.contains("Spawns"),
        "the list page was shown without a password: {text}"
    );
    assert!(browser.find("main").await.is_none());

    // With credentials the list opens, and a spawn created elsewhere
    // appears on it without a reload.
    browser.goto(&with_credentials(&world, "/")).await;
    browser
        .wait_for("main [data-list=all] [data-empty]", Duration::from_secs(5))
        .await;
    browser
        .wait_for(".live-dot.on", Duration::from_secs(5))
        .await;
    let body = world.spawn_body(serde_json::json!({"seconds": 3}));
    let created = world
        .post("/api/spawns")
        .basic_auth("admin", PASSWORD)
        .json(&body)
        .send()
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    browser
        .wait_for(
            &format!("section.spawn[data-spawn=\"{id}\"]"),
            Duration::from_secs(5),
        )
        .await;
    assert!(
        browser.find("[data-empty]").await.is_none(),
        "the empty notice stays after a spawn appeared"
    );
    wait_for_seconds(&browser, 1, Duration::from_secs(5)).await;
    world.node.stop().await;
}
