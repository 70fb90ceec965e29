//! A real browser for the console tests: Debian's headless Chromium driven
//! through its chromedriver (both installed by scripts/test), each test with
//! a driver on a free port and a fresh profile. Screenshots go under
//! `target/console-screenshots/`.
#![allow(dead_code)]

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER: &str = "/usr/bin/chromedriver";

/// A browser session; the driver process ends with it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// A browser with more command-line switches (a colour scheme, …).
    pub async fn start_with(extra: &[&str]) -> Browser {
        for tool in [CHROMIUM, DRIVER] {
            assert!(
                Path::new(tool).exists(),
                "{tool} is missing: scripts/test installs chromium and chromium-driver"
            );
        }
        let port = free_port();
        let driver = Command::new(DRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--window-size=1280,900",
        ]
        .iter()
        .chain(extra)
        .map(|a| a.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": CHROMIUM, "args": args}),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut tries = 0;
        let client = loop {
            let mut builder = ClientBuilder::new(HttpConnector::new());
            match builder.capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if tries < 100 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("chromedriver did not start: {e}"),
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits (at most ten seconds) until the page's path and query start
    /// with `prefix`: a submitted form navigates after `click` returns.
    pub async fn wait_path(&self, prefix: &str) -> String {
        let path = self.wait_url(prefix).await;
        self.wait_for("main").await;
        path
    }

    /// Waits (at most ten seconds) for a URL whose path and query start
    /// with `prefix`, whatever the page is.
    pub async fn wait_url(&self, prefix: &str) -> String {
        for _ in 0..100 {
            let path = self.path().await;
            if path.starts_with(prefix) {
                return path;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never reached {prefix}: at {}", self.path().await);
    }

    /// The whole text of the page.
    pub async fn body_text(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// Waits (at most ten seconds) for an element of the new page.
    pub async fn wait_for(&self, css: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap();
    }

    /// The visible text of the page's `main` element.
    pub async fn main_text(&self) -> String {
        self.client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits (at most ten seconds) until the text of `main` holds `needle`
    /// (a page that htmx updates in place changes after its URL does), and
    /// answers that text.
    pub async fn wait_text(&self, needle: &str) -> String {
        for _ in 0..100 {
            if let Ok(main) = self.client.find(Locator::Css("main")).await
                && let Ok(text) = main.text().await
                && text.contains(needle)
            {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never showed {needle}: {}", self.main_text().await);
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Chooses `path` in the file input at `css`.
    pub async fn choose_file(&self, css: &str, path: &Path) {
        let input = self.client.find(Locator::Css(css)).await.unwrap();
        input.send_keys(&path.display().to_string()).await.unwrap();
    }

    /// Whether the element at `css` is disabled.
    pub async fn disabled(&self, css: &str) -> bool {
        let e = self.client.find(Locator::Css(css)).await.unwrap();
        e.attr("disabled").await.unwrap().is_some()
    }

    /// Picks the option labelled `label` of the `select` at `css`.
    pub async fn select(&self, css: &str, label: &str) {
        let select = self.client.find(Locator::Css(css)).await.unwrap();
        select.select_by_label(label).await.unwrap();
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Writes a PNG of the window to `target/console-screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/console-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await.unwrap()).unwrap();
        path
    }

    /// Runs axe-core on the page for WCAG 2.2 A and AA and answers every
    /// violation as `rule (impact): elements`. The engine's file comes from
    /// the test environment (scripts/test installs it) and is injected over
    /// WebDriver, which the page's CSP does not govern.
    pub async fn axe(&self) -> Vec<String> {
        let loaded = self
            .client
            .execute("return typeof axe !== 'undefined'", vec![])
            .await
            .unwrap();
        if loaded != json!(true) {
            self.client.execute(&axe_source(), vec![]).await.unwrap();
        }
        let script = r#"
            const done = arguments[arguments.length - 1];
            const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
            axe.run(document, {runOnly: {type: 'tag', values: tags}})
              .then(r => done(r.violations.map(v =>
                  v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe failed: ' + e]));
        "#;
        let found = self.client.execute_async(script, vec![]).await.unwrap();
        serde_json::from_value(found).unwrap()
    }

    pub async fn close(self) {
        self.client.clone().close().await.unwrap();
    }
}

/// axe-core's one file, from the virtual environment scripts/test fills
/// (`DIRGATE_PYENV` overrides `target/pyenv`).
fn axe_source() -> String {
    let env = std::env::var_os("DIRGATE_PYENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyenv"));
    let find = "import importlib.util as u; \
                print(u.find_spec('axe_playwright_python').submodule_search_locations[0])";
    let out = Command::new(env.join("bin/python"))
        .args(["-c", find])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: run scripts/test, which installs axe-core",
                env.display()
            )
        });
    assert!(
        out.status.success(),
        "axe-core is missing from {}: run scripts/test, which installs it",
        env.display()
    );
    let dir = String::from_utf8(out.stdout).unwrap();
    std::fs::read_to_string(Path::new(dir.trim()).join("axe.min.js")).unwrap()
}
