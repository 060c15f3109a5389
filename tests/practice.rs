//! The Practice sandbox that runs inside the app: it answers only requests addressed to itself,
//! keeps nothing it receives, and only a development build lets the environment replace it.

use std::io::{Read, Write};
use switchboard_app::practice::practice_url;
use switchboard_sandbox::Sandbox;

/// Sends `head` (the request line and headers, without the final blank line) as raw HTTP and
/// returns the status line of the answer.
fn status_line(sandbox: &Sandbox, head: &str) -> String {
    let mut stream = std::net::TcpStream::connect(sandbox.address()).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    stream.write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

// Multi-threaded: the raw requests below block their thread while the sandbox answers.
#[tokio::test(flavor = "multi_thread")]
async fn a_request_for_another_host_name_is_refused_dns_rebinding() {
    let sandbox = Sandbox::start().await.unwrap();
    let port = sandbox.address().port();
    let path = "/msp360/api/Users";
    // A web page whose own name was pointed at 127.0.0.1 sends that name.
    let rebound = status_line(&sandbox, &format!("GET {path} HTTP/1.1\r\nHost: attacker.example:{port}"));
    assert!(rebound.starts_with("HTTP/1.1 421"), "{rebound}");
    let wrong_port = status_line(&sandbox, &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}", port ^ 1));
    assert!(wrong_port.starts_with("HTTP/1.1 421"), "{wrong_port}");
    let no_host = status_line(&sandbox, &format!("GET {path} HTTP/1.0"));
    assert!(no_host.starts_with("HTTP/1.0 400") || no_host.starts_with("HTTP/1.1 400"), "{no_host}");
    // Its own address and localhost get the vendor's answer (401: no token).
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let own = status_line(&sandbox, &format!("GET {path} HTTP/1.1\r\nHost: {host}"));
        assert!(own.starts_with("HTTP/1.1 401"), "{host}: {own}");
    }
    // Refused requests never reach the handlers (nor the test recorder).
    let recorded: Vec<String> = sandbox.state().requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(recorded.len(), 2, "{recorded:?}");
}

#[test]
fn only_a_development_build_takes_the_practice_url_from_the_environment() {
    let url = Some("http://127.0.0.1:8787".to_string());
    assert_eq!(practice_url(url.clone(), true).as_deref(), Some("http://127.0.0.1:8787"));
    assert_eq!(practice_url(url, false), None, "a release build always starts its own sandbox");
    assert_eq!(practice_url(Some("  ".into()), true), None);
    assert_eq!(practice_url(None, true), None);
}

/// The app's own dependency on the sandbox (not the tests' dev-dependency) must not turn on the
/// request recorder and fault switches: `cargo tree` resolves the features of a build without
/// dev-dependencies, as `cargo build` and `tauri build` do.
#[test]
fn the_apps_practice_sandbox_is_built_without_test_hooks() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--offline", "--package", "switchboard", "--edges", "no-dev,features"])
        .args(["--invert", "switchboard-sandbox", "--prefix", "none", "--format", "{p} [{f}]"])
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(tree.contains("switchboard-sandbox"), "{tree}");
    assert!(!tree.contains("test-hooks"), "the app's sandbox records requests:\n{tree}");
}
