//! The product documents' flows in the console, end to end in Debian's
//! headless Chromium against the standard test directory: the system
//! administrator adds an organization, bulk-updates it with a file that has
//! errors (shown inline, Confirm disabled) and then with a good one,
//! appoints its Organization Administrator and validates a registered
//! user; a delegated administrator cannot reach another organization; a user
//! with only the account-unlock right sees what it allows; a plain member
//! sees its own account. Every page visited is scanned with
//! axe-core for WCAG 2.2 A/AA violations, and screenshots go to
//! `target/console-screenshots/`.

#[path = "common/browser.rs"]
mod browser;
mod common;

use browser::Browser;
use common::admin::{expect, setup};
use serde_json::json;

/// Every violation axe found, by page.
#[derive(Default)]
struct Scan(Vec<String>);

impl Scan {
    async fn page(&mut self, b: &Browser, name: &str) {
        b.screenshot(name).await;
        for v in b.axe().await {
            self.0.push(format!("{name}: {v}"));
        }
    }
}

async fn sign_in(b: &Browser, site: &str, name: &str, password: &str) {
    b.goto(&format!("{site}/sign-in")).await;
    b.fill("#name", name).await;
    b.fill("#password", password).await;
    b.click("form.sign-in button[type=submit]").await;
    b.wait_url("/").await;
    b.wait_for("header nav").await;
}

async fn sign_out(b: &Browser) {
    b.click("form.sign-out button").await;
    b.wait_path("/sign-in").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_flows_work_in_a_browser_and_pass_an_accessibility_scan() {
    let t = setup().await;
    let site = format!("http://{}", t.ldap.server.http_addr);
    let files = tempfile::tempdir().unwrap();
    let b = Browser::start().await;
    let mut scan = Scan::default();

    b.goto(&format!("{site}/sign-in")).await;
    b.wait_for("main").await;
    scan.page(&b, "flow-sign-in").await;
    sign_in(&b, &site, &t.ldap.admin_dn, &t.ldap.admin_pw).await;
    b.wait_path("/users").await;
    scan.page(&b, "flow-users").await;
    b.click("header nav a[href='/']").await;
    b.wait_text("Waiting for validation").await;
    scan.page(&b, "flow-overview").await;

    // Add an organization, then open its page.
    b.click("header nav a[href='/organizations']").await;
    b.wait_path("/organizations").await;
    b.fill("#name", "Globex").await;
    b.fill("#seats", "5").await;
    b.fill("#description", "Globex Corporation").await;
    b.click("form.password button[type=submit]").await;
    b.wait_for("td a[href='/organizations/Globex']").await;
    scan.page(&b, "flow-organizations").await;

    // Bulk update: a file with errors, then a good one.
    let header = "Login Name,Organization Unit,OU Admin,Email Address,First Name,Last Name\n";
    let bad = files.path().join("globex-bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{header}gina@example.com,Globex,False,gina@example.com,Gina,Fox\n\
             hank@example.com,Globex,False,hank-at-example,Hank,Hill\n\
             ines@example.com,Nowhere,False,ines@example.com,Ines,Ortiz\n"
        ),
    )
    .unwrap();
    b.click("header nav a[href='/imports']").await;
    b.wait_path("/imports").await;
    scan.page(&b, "flow-import-upload").await;
    b.choose_file("#file", &bad).await;
    b.click("form.password button[type=submit]").await;
    b.wait_for("table.errors").await;
    let text = b.main_text().await;
    assert!(text.contains("2 row(s) cannot be applied"), "{text}");
    assert!(text.contains("Email Address"), "{text}");
    assert!(b.disabled("form[action$='/confirm'] button").await);
    scan.page(&b, "flow-import-errors").await;

    let good = files.path().join("globex.csv");
    std::fs::write(
        &good,
        format!(
            "{header}gina@example.com,Globex,False,gina@example.com,Gina,Fox\n\
             hank@example.com,Globex,False,hank@example.com,Hank,Hill\n"
        ),
    )
    .unwrap();
    b.goto(&format!("{site}/imports")).await;
    b.wait_for("#file").await;
    b.choose_file("#file", &good).await;
    b.click("form.password button[type=submit]").await;
    b.wait_for("table.records").await;
    assert!(!b.disabled("form[action$='/confirm'] button").await);
    scan.page(&b, "flow-import-preview").await;
    b.click("form[action$='/confirm'] button").await;
    let text = b.wait_text("Applied").await;
    assert!(text.contains("gina@example.com"), "{text}");
    scan.page(&b, "flow-import-applied").await;

    // Appoint gina the Organization Administrator of Globex.
    b.goto(&format!("{site}/organizations/Globex")).await;
    b.wait_for("#org-admin").await;
    b.fill("#org-admin", "gina@example.com").await;
    b.click("form:has(#org-admin) button[type=submit]").await;
    let text = b.wait_text("recovery code, shown this once").await;
    assert!(
        text.contains("2") && text.contains("Globex Corporation"),
        "{text}"
    );
    scan.page(&b, "flow-organization").await;

    // A person registers with the invitation's token; the administrator
    // validates the account from the users page.
    let invited = t
        .api
        .post("/users", &t.bob, json!({"login": "ivy@example.com"}))
        .await;
    expect(&invited, 201);
    let token = invited.body["registrationToken"].as_str().unwrap();
    let reg = json!({"token": token, "password": "ivy-pw-1"});
    expect(
        &t.api
            .post("/register", &common::http::Auth::None, reg)
            .await,
        200,
    );
    b.goto(&format!("{site}/users?state=registered")).await;
    b.wait_text("ivy@example.com").await;
    b.click("button[aria-label='Validate ivy@example.com']")
        .await;
    b.wait_text("No users match.").await;
    let a = t.api.get("/users/ivy@example.com", &t.sys).await;
    assert_eq!(a.body["state"], "active");

    b.goto(&format!("{site}/users/new")).await;
    b.wait_for("#login").await;
    scan.page(&b, "flow-new-user").await;
    b.goto(&format!("{site}/users/gina@example.com")).await;
    b.wait_text("History").await;
    scan.page(&b, "flow-user").await;
    b.click("header nav a[href='/audit']").await;
    b.wait_path("/audit").await;
    scan.page(&b, "flow-audit").await;
    b.click("header nav a[href='/access']").await;
    b.wait_text("Login suffixes").await;
    scan.page(&b, "flow-access").await;
    b.click("header nav a[href='/roles']").await;
    b.wait_path("/roles").await;
    scan.page(&b, "flow-roles").await;
    b.click("td a[href^='/roles/']").await;
    b.wait_text("Members").await;
    scan.page(&b, "flow-role").await;
    b.click("header nav a[href='/applications']").await;
    b.wait_text("Add an application").await;
    scan.page(&b, "flow-applications").await;
    b.click("header nav a[href='/requests']").await;
    b.wait_text("Your requests").await;
    scan.page(&b, "flow-requests").await;
    b.click("header nav a[href='/reports']").await;
    b.wait_for("svg.chart").await;
    scan.page(&b, "flow-reports").await;
    b.goto(&format!("{site}/reports?report=seats")).await;
    b.wait_text("Globex").await;
    scan.page(&b, "flow-report-seats").await;
    sign_out(&b).await;

    // bob, a delegate of Acme-A, cannot reach Globex.
    sign_in(&b, &site, "bob@example.com", "pw").await;
    assert!(b.exists("header nav a[href='/organizations/Acme-A']").await);
    assert!(!b.exists("header nav a[href='/organizations']").await);
    b.goto(&format!("{site}/organizations/Globex")).await;
    let text = b.wait_text("not found").await;
    assert!(!text.contains("Gina"), "{text}");
    scan.page(&b, "flow-delegate-other-org").await;
    b.goto(&format!("{site}/organizations/Acme-A")).await;
    b.wait_text("Delegated Administrators").await;
    scan.page(&b, "flow-delegate-organization").await;
    sign_out(&b).await;

    // alice holds only the account-unlock right: the users of Acme-A,
    // with nothing to create, move or disable.
    sign_in(&b, &site, "alice@example.com", "pw").await;
    b.wait_path("/users").await;
    let text = b.wait_text("bob@example.com").await;
    assert!(!text.contains("carol@example.com"), "{text}");
    assert!(!b.exists("a[href='/users/new']").await);
    assert!(!b.exists("button[value='disable']").await);
    scan.page(&b, "flow-unlock-right").await;
    sign_out(&b).await;

    // dave, a plain member of no organization, has his own account.
    sign_in(&b, &site, "dave@example.com", "pw").await;
    b.wait_path("/account").await;
    assert!(!b.exists("header nav a[href='/users']").await);
    scan.page(&b, "flow-account").await;
    // Setting up a second factor: the QR code page.
    b.click("form[action='/account/second-factor'] button")
        .await;
    b.wait_for("figure.qr svg").await;
    scan.page(&b, "flow-second-factor").await;
    b.goto(&format!("{site}/account")).await;
    b.wait_for("main").await;
    sign_out(&b).await;
    for (path, name) in [
        ("/register", "flow-register"),
        ("/forgot", "flow-forgot"),
        ("/reset", "flow-reset"),
    ] {
        b.goto(&format!("{site}{path}")).await;
        b.wait_for("main").await;
        scan.page(&b, name).await;
    }
    b.close().await;

    // The same pages in the dark scheme, which follows the system's.
    let b = Browser::start_with(&["--blink-settings=preferredColorScheme=0"]).await;
    sign_in(&b, &site, &t.ldap.admin_dn, &t.ldap.admin_pw).await;
    for (path, name) in [
        ("/", "overview"),
        ("/users", "users"),
        ("/organizations", "organizations"),
        ("/organizations/Globex", "organization"),
        ("/users/new", "new-user"),
        ("/users/gina@example.com", "user"),
        ("/imports", "import-upload"),
        ("/audit", "audit"),
        ("/reports", "reports"),
        ("/access", "access"),
        ("/applications", "applications"),
        ("/requests", "requests"),
        ("/settings", "settings"),
    ] {
        b.goto(&format!("{site}{path}")).await;
        b.wait_for("main").await;
        scan.page(&b, &format!("dark-{name}")).await;
    }
    b.close().await;

    assert!(scan.0.is_empty(), "axe-core found:\n{}", scan.0.join("\n"));
}
