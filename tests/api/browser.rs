//! A real browser (Debian's chromium driven through chromedriver's WebDriver protocol) opens
//! the home page, searches a name, opens a verify page and reads the verdict, in Chinese and
//! in English, on a 375-px-wide screen. Screenshots land in `target/browser-artifacts/`.
//!
//! CI installs chromium and chromium-driver (`.ci/run`); on a machine without them this test
//! says so and passes only when not running under CI.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Cast};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Browser {
    http: reqwest::Client,
    base: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("browser-artifacts");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

impl Browser {
    async fn start() -> Option<Self> {
        if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists()
        {
            assert!(
                std::env::var("CI").is_err(),
                "CI must provide chromium and chromium-driver (see .ci/run)"
            );
            eprintln!("browser test skipped: install chromium and chromium-driver to run it");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=375,900", format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let mut browser = Self {
            http,
            base,
            driver,
            _profile: profile,
        };
        let session: Value = browser
            .call(reqwest::Method::POST, "/session", Some(capabilities))
            .await;
        let id = session["sessionId"]
            .as_str()
            .expect("session id")
            .to_owned();
        browser.base = format!("{}/session/{id}", browser.base);
        Some(browser)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request
            .send()
            .await
            .expect("webdriver answers")
            .json()
            .await
            .expect("json");
        assert!(
            reply["value"]["error"].is_null(),
            "webdriver error on {path}: {reply}"
        );
        reply["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// Waits up to five seconds for an element matching `css`.
    async fn find(&self, css: &str) -> String {
        for _ in 0..100 {
            let reply: Value = self
                .http
                .post(format!("{}/element", self.base))
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .await
                .expect("webdriver answers")
                .json()
                .await
                .expect("json");
            if let Some(id) = reply["value"]
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(Value::as_str)
            {
                return id.to_owned();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no element matches {css}");
    }

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{element}/text"),
            None,
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_owned()
    }

    async fn attribute(&self, css: &str, name: &str) -> String {
        let element = self.find(css).await;
        let value = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{element}/attribute/{name}"),
                None,
            )
            .await;
        value.as_str().unwrap_or("").to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// Clicks something that navigates, and waits until the new page is there.
    async fn click_and_wait(&self, css: &str) {
        let before = self.current_url().await;
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
        for _ in 0..100 {
            if self.current_url().await != before {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking {css} did not leave {before}");
    }

    async fn screenshot(&self, name: &str) {
        let data = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or(""))
            .expect("base64 png");
        assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
        std::fs::write(artifacts().join(name), png).expect("screenshot written");
    }

    async fn quit(mut self) {
        let _ = self.http.delete(&self.base).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[tokio::test]
async fn a_shopper_searches_and_verifies_in_chinese_and_english_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let granted = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let registry_no = granted["registry_no"].as_str().expect("no").to_owned();

    browser.goto(&app.url("/")).await;
    assert!(browser
        .text("h1")
        .await
        .contains("英德市地理标志专用标志使用企业公示"));
    assert_eq!(
        browser
            .text("[data-testid=authorized]")
            .await
            .split_whitespace()
            .next(),
        Some("1")
    );
    browser.screenshot("home-zh.png").await;

    browser.type_into("#q", "hongqi").await;
    browser.click_and_wait("form.search button").await;
    assert!(browser
        .text("ul.results li")
        .await
        .contains("91441881MA4WTEA03K"));
    browser.screenshot("search-zh.png").await;

    browser.click_and_wait("ul.results li a").await;
    assert_eq!(
        browser.attribute("[data-verdict]", "data-verdict").await,
        "authorized"
    );
    assert!(browser
        .text(".verdict h2")
        .await
        .contains("已获准使用地理标志专用标志"));
    assert!(browser.text("table").await.contains(&registry_no));
    browser.screenshot("verify-zh.png").await;

    browser.click_and_wait("header a[lang=en]").await;
    assert!(browser
        .text(".verdict h2")
        .await
        .contains("Authorized to use the GI special mark"));
    browser.screenshot("verify-en.png").await;

    browser.goto(&app.url("/?lang=en")).await;
    browser.type_into("#q", "91441881MA4WTEA03K").await;
    browser.click_and_wait("form.search button").await;
    assert!(browser
        .text("[data-testid=total]")
        .await
        .contains("Found 1"));
    browser.screenshot("search-en.png").await;

    browser
        .goto(&app.url("/verify/91110000600037341L?lang=en"))
        .await;
    assert_eq!(
        browser.attribute("[data-verdict]", "data-verdict").await,
        "not_found"
    );
    assert!(browser
        .text(".verdict h2")
        .await
        .contains("No enterprise found"));
    browser.quit().await;
}
