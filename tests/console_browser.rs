//! The web console in Debian's headless Chromium, against the standard test
//! directory served in-process: a delegated administrator signs in (after a
//! wrong password), finds its organization's users and no other's, searches,
//! is not steered by a page of another site that posts to the console, and
//! signs out; the system administrator picks an organization, adds one and
//! reads the audit trail. Screenshots
//! of the pages go to `target/console-screenshots/`.

#[path = "common/browser.rs"]
mod browser;
mod common;

use browser::Browser;
use common::admin::setup;
use std::io::{Read, Write};
use std::net::TcpListener;

/// Serves one page, on a port of its own (so another origin), whose form
/// posts itself to `target` as soon as it loads.
fn attacker_page(target: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let html = format!(
        "<!doctype html><title>prize</title><form id=f method=post action=\"{target}\">\
         </form><script>document.getElementById('f').submit()</script>"
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{html}",
                html.len()
            );
            let _ = s.write_all(reply.as_bytes());
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_and_the_system_administrator_use_the_console() {
    let t = setup().await;
    let site = format!("http://{}", t.ldap.server.http_addr);
    let b = Browser::start().await;

    b.goto(&format!("{site}/users")).await;
    b.wait_path("/sign-in").await;
    b.screenshot("sign-in").await;
    b.fill("#name", "bob@example.com").await;
    b.fill("#password", "wrong").await;
    b.click("button[type=submit]").await;
    b.wait_for(".problem").await;
    assert!(
        b.main_text()
            .await
            .contains("The name or the password is wrong.")
    );
    b.fill("#password", "pw").await;
    b.click("form.sign-in button[type=submit]").await;
    b.wait_path("/users").await;
    let text = b.main_text().await;
    assert!(
        text.contains("alice@example.com") && text.contains("bob@example.com"),
        "{text}"
    );
    assert!(!text.contains("carol@example.com"), "{text}");
    assert!(
        !b.exists("#organization").await,
        "a delegate has no organization picker"
    );
    b.screenshot("users-delegate").await;

    // Search as you type: htmx fetches the list and keeps it in the URL.
    b.fill("#q", "alice").await;
    let text = b.wait_text("Users 1–1 of 1").await;
    assert!(text.contains("alice@example.com"), "{text}");
    b.wait_url("/users?q=alice").await;

    // Another site's page posts to the console: refused, still signed in.
    b.goto(&attacker_page(&format!("{site}/sign-out"))).await;
    b.wait_url("/sign-out").await;
    let refusal = b.body_text().await;
    assert!(refusal.contains("cross-site request refused"), "{refusal}");
    b.goto(&format!("{site}/users")).await;
    assert_eq!(b.path().await, "/users", "the attacker signed bob out");

    b.click("form.sign-out button").await;
    b.wait_path("/sign-in").await;
    b.goto(&format!("{site}/users")).await;
    b.wait_path("/sign-in").await;

    // The system administrator picks an organization.
    b.fill("#name", &t.ldap.admin_dn).await;
    b.fill("#password", &t.ldap.admin_pw).await;
    b.click("form.sign-in button[type=submit]").await;
    b.wait_path("/users").await;
    assert!(b.main_text().await.contains("dave@example.com"));
    b.select("#organization", "Acme-B").await;
    b.click("form.filters button[type=submit]").await;
    b.wait_path("/users?q=&organization=Acme-B").await;
    let text = b.wait_text("carol@example.com").await;
    assert!(
        text.contains("carol@example.com") && !text.contains("alice@example.com"),
        "{text}"
    );
    b.screenshot("users-system").await;

    // The Organizations page: add one, see its free seats.
    b.click("header nav a[href='/organizations']").await;
    b.wait_path("/organizations").await;
    b.fill("#name", "Acme-C").await;
    b.fill("#seats", "7").await;
    b.click("form.password button[type=submit]").await;
    b.wait_for("td a[href='/organizations/Acme-C']").await;
    assert!(b.main_text().await.contains("Acme-C"));
    b.screenshot("organizations").await;
    b.click("header nav a[href='/audit']").await;
    b.wait_path("/audit").await;
    assert!(
        b.main_text().await.contains("org.create"),
        "{}",
        b.main_text().await
    );
    b.screenshot("audit").await;
    b.close().await;
}
