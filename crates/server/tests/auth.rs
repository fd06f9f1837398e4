//! Basic auth on everything but /health, and the cross-site check on writes.

mod common;

use common::World;
use hyper::StatusCode;
use onslaught_server::ServeConfig;
use serde_json::json;

const PASSWORD: &str = "correct horse";

async fn protected() -> World {
    World::with_config(ServeConfig::for_test().with_password(PASSWORD)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_api_need_the_password_but_health_does_not() {
    let world = protected().await;
    for path in [
        "/",
        "/spawns/new",
        "/api/spawns",
        "/api/nodes",
        "/metrics",
        "/assets/live.js",
        "/api/events",
    ] {
        let anonymous = world.get(path).send().await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            anonymous
                .header("www-authenticate")
                .unwrap()
                .starts_with("Basic"),
            "{path}"
        );

        let wrong = world.get(path).basic_auth("admin", "wrong").send().await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{path}");
        let wrong_user = world.get(path).basic_auth("root", PASSWORD).send().await;
        assert_eq!(wrong_user.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    for path in [
        "/",
        "/spawns/new",
        "/api/spawns",
        "/api/nodes",
        "/metrics",
        "/assets/live.js",
    ] {
        let reply = world.get(path).basic_auth("admin", PASSWORD).send().await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
    }
    let create = world
        .post("/api/spawns")
        .json(&world.spawn_body(json!({"seconds": 1})))
        .send()
        .await;
    assert_eq!(create.status, StatusCode::UNAUTHORIZED);

    let health = world.get("/health").send().await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_password_a_loopback_node_is_open() {
    let world = World::start().await;
    for path in ["/", "/api/spawns", "/metrics"] {
        assert_eq!(
            world.get(path).send().await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    world.node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_from_another_origin_are_refused() {
    let mut config = ServeConfig::for_test().with_password(PASSWORD);
    config.public_host = Some("onslaught.example".into());
    let world = World::with_config(config).await;
    let own_origin = format!("http://{}", world.addr());
    // An invalid body: passing the guard shows up as 422, and nothing starts.
    let body = json!({"url": "not a url"});

    let evil = world
        .post("/api/spawns")
        .basic_auth("admin", PASSWORD)
        .header("origin", "http://evil.test")
        .json(&body)
        .send()
        .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    assert!(evil.json()["error"].as_str().unwrap().contains("evil.test"));

    let form = world
        .post("/spawns")
        .basic_auth("admin", PASSWORD)
        .header("origin", "null")
        .form("url=x")
        .send()
        .await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    let fetch_meta = world
        .post("/spawns")
        .basic_auth("admin", PASSWORD)
        .header("sec-fetch-site", "cross-site")
        .form("url=x")
        .send()
        .await;
    assert_eq!(fetch_meta.status, StatusCode::FORBIDDEN);
    let delete = world
        .delete("/api/spawns/6f1c1f3e-8d2a-4c59-9a43-0a8f5a4f1b2c")
        .basic_auth("admin", PASSWORD)
        .header("origin", "https://evil.test")
        .send()
        .await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);

    for origin in [
        own_origin.as_str(),
        "https://onslaught.example",
        "https://onslaught.example:8443",
    ] {
        let reply = world
            .post("/api/spawns")
            .basic_auth("admin", PASSWORD)
            .header("origin", origin)
            .json(&body)
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{origin}");
    }
    let script = world
        .post("/api/spawns")
        .basic_auth("admin", PASSWORD)
        .json(&body)
        .send()
        .await;
    assert_eq!(script.status, StatusCode::UNPROCESSABLE_ENTITY);
    world.node.stop().await;
}
