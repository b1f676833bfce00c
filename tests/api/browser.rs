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

use crate::helpers::{spawn_app, Cast, PASSWORD};

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
                // A phone's viewport: desktop Chromium will not make a window this narrow.
                "mobileEmulation": {"deviceMetrics": {"width": 375, "height": 800, "pixelRatio": 1.0, "touch": false}},
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

    /// Reads something of the element matching `css`: `text`, `attribute/src`, `property/value`.
    async fn read(&self, css: &str, what: &str) -> String {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{element}/{what}"),
            None,
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_owned()
    }

    async fn text(&self, css: &str) -> String {
        self.read(css, "text").await
    }

    async fn attribute(&self, css: &str, name: &str) -> String {
        self.read(css, &format!("attribute/{name}")).await
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

    /// Clicks something that loads a page (a link, a form's button), and waits until the
    /// page it was on is gone: its `<main>` goes stale even when the address stays the same.
    async fn click_and_wait(&self, css: &str) {
        let old_main = self.find("main").await;
        self.poke(css, "click").await;
        self.wait_until_stale(&old_main).await;
    }

    /// Waits until the element `old` is gone (its page was replaced), then for the new `<main>`.
    async fn wait_until_stale(&self, old: &str) {
        for _ in 0..200 {
            let reply: Value = self
                .http
                .get(format!("{}/element/{old}/name", self.base))
                .send()
                .await
                .expect("webdriver answers")
                .json()
                .await
                .expect("json");
            if reply["value"]["error"].as_str() == Some("stale element reference") {
                // The new page has begun; wait for its main content.
                self.find("main").await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no new page came");
    }

    /// Clicks an element that does not leave the page (opening a `<details>`).
    async fn click(&self, css: &str) {
        self.poke(css, "click").await;
    }

    /// Posts `verb` (`click`, `clear`) to the element matching `css`.
    async fn poke(&self, css: &str, verb: &str) {
        let element = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/{verb}"),
            Some(json!({})),
        )
        .await;
    }

    /// Chooses the option with `value` in the `<select>` matching `css`.
    async fn choose(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value='{value}']")).await;
    }

    async fn clear(&self, css: &str) {
        self.poke(css, "clear").await;
    }

    /// What an input holds now (its `value` property, not the attribute it started with).
    async fn value(&self, css: &str) -> String {
        self.read(css, "property/value").await
    }

    /// The application on this page is in `status`.
    async fn shows_status(&self, status: &str) {
        assert_eq!(self.attribute("[data-status]", "data-status").await, status);
    }

    /// Signs in with the keyboard alone: the username field has the focus, Tab moves on,
    /// Enter sends the form.
    /// The element that has the focus now.
    async fn focused(&self) -> String {
        let focused = self
            .call(reqwest::Method::GET, "/element/active", None)
            .await;
        focused
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("a focused element")
            .to_owned()
    }

    async fn sign_in(&self, app: &crate::helpers::TestApp, username: &str) {
        self.goto(&app.url("/login")).await;
        let old_main = self.find("main").await;
        assert_eq!(
            self.focused().await,
            self.find("#f-username").await,
            "the username has the focus"
        );
        let keys = format!("{username}\u{E004}{}\u{E007}", crate::helpers::PASSWORD);
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        self.call(
            reqwest::Method::POST,
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
        self.wait_until_stale(&old_main).await;
    }

    async fn sign_out(&self) {
        self.click_and_wait("header nav form button").await;
        assert!(self
            .current_url()
            .await
            .contains("/login?notice=signed_out"));
    }

    /// Nothing sticks out sideways on the 375-px screen (no sideways scrolling).
    async fn fits_the_phone(&self) {
        let widths = self
            .call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({"script": "return [document.documentElement.scrollWidth, window.innerWidth];", "args": []})),
            )
            .await;
        let (content, screen) = (widths[0].as_i64(), widths[1].as_i64());
        if screen != Some(375) {
            let wide = self
                .call(
                    reqwest::Method::POST,
                    "/execute/sync",
                    Some(json!({"script": "return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 376).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));", "args": []})),
                )
                .await;
            eprintln!("wider than the phone: {wide}");
        }
        assert_eq!(screen, Some(375), "the viewport is a phone's");
        assert!(
            content <= screen,
            "{}: content {content:?} is wider than the screen {screen:?}",
            self.current_url().await
        );
    }

    /// Scrolls the element matching `css` to the top of the screen (for a screenshot of it).
    async fn scroll_to(&self, css: &str) {
        self.find(css).await;
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({
                "script": "document.querySelector(arguments[0]).scrollIntoView(true);",
                "args": [css],
            })),
        )
        .await;
    }

    async fn screenshot(&self, name: &str) {
        self.fits_the_phone().await;
        let data = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or(""))
            .expect("base64 png");
        assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
        std::fs::write(artifacts().join(name), png).expect("screenshot written");
    }

    /// Prints the page as Chromium's print does, at the page size its CSS asks for
    /// (`Page.printToPDF` through chromedriver's DevTools bridge); the PDF's bytes.
    async fn print_to_pdf(&self) -> Vec<u8> {
        let printed = self
            .call(
                reqwest::Method::POST,
                "/goog/cdp/execute",
                Some(json!({"cmd": "Page.printToPDF", "params": {
                    "preferCSSPageSize": true, "printBackground": true
                }})),
            )
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(printed["data"].as_str().unwrap_or(""))
            .expect("base64 pdf")
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
        .contains("1 enterprise"));
    assert!(browser
        .text("ul.results li")
        .await
        .contains("Yingde Black Tea"));
    browser.screenshot("search-en.png").await;
    // The choice is remembered: the home page without `?lang` stays English.
    browser.goto(&app.url("/")).await;
    assert!(browser.text("h1").await.contains("Yingde GI special mark"));

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

/// The whole story of issue 8 in a real browser on a 375-px screen: a producer registers,
/// applies, uploads and submits; a reviewer accepts and returns it with a comment on one field;
/// the producer sees the comment beside that field, fixes it and resubmits; the reviewer
/// uploads the origin report and recommends; an approver approves; the public page then shows
/// the enterprise. Screenshots of each page land in `target/browser-artifacts/`.
#[tokio::test]
async fn a_producer_applies_and_staff_approve_it_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    app.staff_token("li.reviewer", "reviewer").await;
    app.staff_token("wang.approver", "approver").await;
    let files = tempfile::tempdir().expect("dir");
    let document = files.path().join("材料.pdf");
    std::fs::write(&document, crate::helpers::PDF).expect("pdf");
    let document = document.to_string_lossy().into_owned();

    // Register: a mistyped credit code comes back beside its field, with the rest kept.
    browser.goto(&app.url("/register")).await;
    browser.screenshot("story-01-register.png").await;
    browser.type_into("#f-username", "yingshan.tea").await;
    browser.type_into("#f-password", PASSWORD).await;
    browser
        .type_into("#f-password_confirmation", PASSWORD)
        .await;
    browser
        .type_into("#f-enterprise-uscc", "91441881MA4WTEA03X")
        .await;
    browser
        .type_into("#f-enterprise-name", "英德市英山红茶有限公司")
        .await;
    browser
        .type_into("#f-enterprise-legal_representative", "陈英")
        .await;
    browser
        .type_into("#f-enterprise-address", "英德市英城街道茶园路8号")
        .await;
    browser.choose("#f-enterprise-town", "yingcheng").await;
    browser
        .type_into("#f-enterprise-contact_name", "陈英")
        .await;
    browser
        .type_into("#f-enterprise-contact_phone", "0763-2222333")
        .await;
    browser
        .type_into("#f-enterprise-email", "tea@example.cn")
        .await;
    browser
        .click_and_wait("main form button[type=submit]")
        .await;
    assert!(!browser.text("#f-enterprise-uscc-error").await.is_empty());
    // The page script ran (the Content-Security-Policy admits it by its hash).
    let ran = browser
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": "return document.documentElement.dataset.script;", "args": []})),
        )
        .await;
    assert_eq!(ran, json!("ran"));
    // The error summary on top has the focus and links to the field.
    assert_eq!(
        browser.focused().await,
        browser.find(".error-summary").await
    );
    assert!(browser
        .text(".error-summary")
        .await
        .contains("请修改以下 1 处"));
    assert!(browser
        .attribute(".error-summary a", "href")
        .await
        .ends_with("#f-enterprise-uscc"));
    assert_eq!(
        browser.value("#f-enterprise-name").await,
        "英德市英山红茶有限公司"
    );
    assert_eq!(browser.value("#f-enterprise-town").await, "yingcheng");
    browser.screenshot("story-02-register-error.png").await;
    browser.clear("#f-enterprise-uscc").await;
    browser
        .type_into("#f-enterprise-uscc", "91441881ma4wtea03k")
        .await;
    browser.type_into("#f-password", PASSWORD).await;
    browser
        .type_into("#f-password_confirmation", PASSWORD)
        .await;
    browser
        .click_and_wait("main form button[type=submit]")
        .await;
    assert!(browser.current_url().await.ends_with("/applications/new"));

    // Apply: the product first, then the form with that product's towns.
    browser
        .click_and_wait("a[data-product=yingde-black-tea]")
        .await;
    browser.choose("#f-production_town", "yingcheng").await;
    browser
        .type_into("#f-production_address", "英德市英城街道茶园路8号")
        .await;
    browser.type_into("#f-area_mu", "120.5").await;
    browser.type_into("#f-annual_output_kg", "8000").await;
    browser.screenshot("story-03-new-application.png").await;
    browser
        .click_and_wait("main form button[type=submit]")
        .await;
    assert!(browser
        .text("[data-testid=missing-documents]")
        .await
        .contains("产品检验报告"));
    browser.screenshot("story-04-draft.png").await;

    // A description typed and not saved goes with the upload, not lost.
    browser.type_into("#f-description", "高山有机茶园").await;
    for kind in ["application_form", "business_license", "test_report"] {
        browser.choose("#f-kind", kind).await;
        browser.type_into("#f-file", &document).await;
        browser.click_and_wait("[data-testid=upload]").await;
    }
    assert_eq!(browser.value("#f-description").await, "高山有机茶园");
    assert_eq!(
        browser
            .text("[data-testid=documents]")
            .await
            .matches("材料.pdf")
            .count(),
        3
    );
    browser.click_and_wait("[data-action=submit] button").await;
    browser.shows_status("submitted").await;
    assert!(browser.text(".notice").await.contains("已提交，受理期限为"));
    browser.screenshot("story-05-submitted.png").await;
    browser.sign_out().await;

    // The reviewer accepts it from the queue and returns it with a comment on the address.
    browser.sign_in(&app, "li.reviewer").await;
    assert!(browser.current_url().await.ends_with("/review"));
    assert!(browser
        .text("[data-testid=queue]")
        .await
        .contains("英德市英山红茶有限公司"));
    browser.screenshot("story-06-queue.png").await;
    browser.click_and_wait("[data-testid=queue] a").await;
    // The actions are buttons; one that needs words opens its form under it.
    browser.click("details[data-action=refuse] summary").await;
    browser.scroll_to("[data-testid=actions]").await;
    browser.screenshot("story-06b-actions.png").await;
    browser.click("details[data-action=accept] summary").await;
    browser
        .click_and_wait("details[data-action=accept] button")
        .await;
    browser.shows_status("under_review").await;
    browser.click("details[data-action=return] summary").await;
    browser
        .type_into("#f-return-comment", "请补充生产地址的门牌号。")
        .await;
    browser
        .type_into(
            "#f-return-field_comments-production_address",
            "地址缺少门牌号",
        )
        .await;
    browser.screenshot("story-07-review.png").await;
    browser
        .click_and_wait("details[data-action=return] button")
        .await;
    browser.shows_status("returned").await;
    browser.sign_out().await;

    // The producer sees the comment beside the field, fixes it and resubmits.
    browser.sign_in(&app, "yingshan.tea").await;
    assert!(browser.current_url().await.ends_with("/applications"));
    browser.click_and_wait("main table a").await;
    assert!(browser
        .text("[data-opinion=production_address]")
        .await
        .contains("地址缺少门牌号"));
    browser.screenshot("story-08-returned.png").await;
    browser.clear("#f-production_address").await;
    browser
        .type_into("#f-production_address", "英德市英城街道茶园路8号之二")
        .await;
    browser.click_and_wait("[data-testid=save]").await;
    assert_eq!(
        browser.value("#f-production_address").await,
        "英德市英城街道茶园路8号之二"
    );
    browser
        .click_and_wait("[data-action=resubmit] button")
        .await;
    browser.shows_status("under_review").await;
    browser.sign_out().await;

    // The reviewer adds the origin verification report and recommends.
    browser.sign_in(&app, "li.reviewer").await;
    browser.click_and_wait("[data-testid=queue] a").await;
    browser.type_into("#f-file", &document).await;
    browser.click_and_wait("[data-testid=upload]").await;
    browser
        .click("details[data-action=recommend] summary")
        .await;
    browser
        .click_and_wait("details[data-action=recommend] button")
        .await;
    browser.shows_status("recommended").await;
    browser.sign_out().await;

    // Another person, an approver, approves it.
    browser.sign_in(&app, "wang.approver").await;
    browser.click_and_wait("[data-testid=queue] a").await;
    browser.click("details[data-action=approve] summary").await;
    browser
        .type_into("#f-approve-announcement_no", "英市监公告〔2026〕12号")
        .await;
    browser
        .click_and_wait("details[data-action=approve] button")
        .await;
    browser.shows_status("approved").await;
    let registry_no = browser.text("[data-testid=registry-no]").await;
    assert!(registry_no.starts_with("YDGI-"), "{registry_no}");
    browser.screenshot("story-09-approved.png").await;
    browser.sign_out().await;

    // The producer's right, with its QR code and the usage-report form.
    browser.sign_in(&app, "yingshan.tea").await;
    browser.goto(&app.url("/authorizations")).await;
    assert!(browser
        .text(&format!("[data-right='{registry_no}']"))
        .await
        .contains(&registry_no));
    assert!(browser
        .attribute(".qr img", "src")
        .await
        .ends_with("/verify/91441881MA4WTEA03K/qr.svg"));
    browser.screenshot("story-10-authorizations.png").await;
    browser.sign_out().await;

    // The public finds the enterprise and its verdict.
    browser.goto(&app.url("/")).await;
    browser.type_into("#q", "英山红茶").await;
    browser.click_and_wait("form.search button").await;
    assert!(browser
        .text("ul.results li")
        .await
        .contains("91441881MA4WTEA03K"));
    browser.click_and_wait("ul.results li a").await;
    assert_eq!(
        browser.attribute("[data-verdict]", "data-verdict").await,
        "authorized"
    );
    browser.screenshot("story-11-verify.png").await;
    browser.quit().await;
}

/// The pages of a PDF (`/Type /Page` objects, not the `/Pages` tree) and each one's MediaBox.
fn pdf_pages(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    let mut boxes = Vec::new();
    let mut rest: &str = &text;
    while let Some(at) = rest.find("/Type /Page") {
        let after = &rest[at + "/Type /Page".len()..];
        rest = after;
        if after.starts_with('s') {
            continue;
        }
        // The page's dictionary: from the object's start to its end.
        let start = text.len() - after.len();
        let object_start = text[..start].rfind(" obj").unwrap_or(0);
        let object_end = start + text[start..].find("endobj").unwrap_or(text.len() - start);
        let object = &text[object_start..object_end];
        let media = object
            .find("/MediaBox")
            .map(|m| &object[m..])
            .and_then(|m| Some(&m[m.find('[')? + 1..m.find(']')?]))
            .map(|numbers| {
                numbers
                    .split_whitespace()
                    .filter_map(|n| n.parse::<f64>().ok())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if let [x0, y0, x1, y1] = media[..] {
            boxes.push((x1 - x0, y1 - y0));
        } else {
            boxes.push((0.0, 0.0));
        }
    }
    boxes
}

#[tokio::test]
async fn the_certificate_prints_to_one_a4_page_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let approved = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let right = approved["authorization_id"].as_str().expect("right");
    browser.sign_in(&app, "hongqi").await;
    browser
        .goto(&app.url(&format!("/authorizations/{right}/certificate")))
        .await;
    assert_eq!(
        browser.text("[data-testid=registry-no]").await,
        approved["registry_no"].as_str().expect("no")
    );
    let pdf = browser.print_to_pdf().await;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    std::fs::write(artifacts().join("certificate.pdf"), &pdf).expect("pdf written");
    let pages = pdf_pages(&pdf);
    assert_eq!(pages.len(), 1, "one page: {pages:?}");
    let (width, height) = pages[0];
    // A4 is 595.28 x 841.89 points.
    assert!(
        (width - 595.3).abs() < 2.0 && (height - 841.9).abs() < 2.0,
        "A4 portrait: {width} x {height}"
    );

    // Suspended, it still prints on one page, the status across it.
    let suspended = app
        .post(
            &format!("/api/v1/authorizations/{right}/suspend"),
            Some(&cast.reviewer),
            &json!({"reason": "抽检不合格"}),
        )
        .await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    browser
        .goto(&app.url(&format!("/authorizations/{right}/certificate")))
        .await;
    assert!(browser
        .text("[data-testid=status-mark]")
        .await
        .contains("已暂停使用"));
    assert_eq!(pdf_pages(&browser.print_to_pdf().await).len(), 1);
    browser.quit().await;
}

#[tokio::test]
async fn the_abnormal_list_a_past_days_verdict_and_bulk_verify_in_a_real_browser() {
    use chrono::{TimeZone, Utc};
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock.set(
        Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0)
            .single()
            .expect("a time"),
    );
    let granted = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let registry_no = granted["registry_no"].as_str().expect("no").to_owned();
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 2, 10, 2, 0, 0)
            .single()
            .expect("a time"),
    );
    let listed = app
        .post(
            "/api/v1/abnormal-users",
            Some(&cast.reviewer),
            &json!({"authorization_id": granted["authorization_id"], "reason": "report_overdue",
                "note": "2025年度报告逾期", "correct_by": "2026-03-31"}),
        )
        .await;
    assert_eq!(listed.status, 201, "{}", listed.text);

    browser.goto(&app.url("/abnormal")).await;
    assert!(browser.text("table").await.contains(&registry_no));
    browser.screenshot("abnormal-zh.png").await;

    browser.goto(&app.url("/verify/91441881MA4WTEA03K")).await;
    assert_eq!(
        browser.attribute("[data-verdict]", "data-verdict").await,
        "authorized",
        "a listed right is still a right"
    );
    assert!(browser
        .text("[data-testid=abnormal]")
        .await
        .contains("列入使用异常名录"));
    assert!(browser
        .text("[data-testid=as-of]")
        .await
        .contains("查询历史状态"));
    browser.screenshot("verify-abnormal-zh.png").await;

    // The day before the grant: nothing was authorized yet.
    browser
        .goto(&app.url("/verify/91441881MA4WTEA03K?as_of=2025-05-31"))
        .await;
    assert!(browser
        .text("[data-testid=as-of-day]")
        .await
        .contains("2025-05-31"));
    assert_ne!(
        browser.attribute("[data-verdict]", "data-verdict").await,
        "authorized"
    );

    browser.goto(&app.url("/verify/bulk")).await;
    browser.type_into("#codes", "91441881MA4WTEA03K").await;
    assert!(!browser.find("[data-testid=bulk-verify]").await.is_empty());
    browser.quit().await;
}

#[tokio::test]
async fn a_label_sheet_prints_qr_codes_that_open_their_own_label_page_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let zbarimg = std::path::Path::new("/usr/bin/zbarimg");
    assert!(
        zbarimg.exists() || std::env::var("CI").is_err(),
        "CI must provide zbar-tools (see .ci/run)"
    );
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let approved = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let right = approved["authorization_id"].as_str().expect("right");
    let year = (app.clock.now() + chrono::Duration::hours(8))
        .format("%Y")
        .to_string();
    let quota = app
        .put(
            &format!("/api/v1/authorizations/{right}/label-quota"),
            Some(&cast.reviewer),
            &json!({"year": year.parse::<i32>().expect("year"), "quantity": 10}),
        )
        .await;
    assert_eq!(quota.status, 200, "{}", quota.text);
    let batch = app
        .post(
            &format!("/api/v1/authorizations/{right}/label-batches"),
            Some(&cast.producer),
            &json!({"quantity": 5}),
        )
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    let batch_id = batch.json["id"].as_str().expect("batch");
    let csv = app
        .get(
            &format!("/api/v1/label-batches/{batch_id}/codes.csv"),
            Some(&cast.producer),
        )
        .await;
    let mut urls: Vec<String> = csv
        .text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(',').map(|(_, url)| url.to_owned()))
        .collect();
    urls.sort();
    assert_eq!(urls.len(), 5);

    browser.sign_in(&app, "hongqi").await;
    browser
        .goto(&app.url(&format!("/label-batches/{batch_id}/sheet")))
        .await;
    // A sheet as the printer's preview would show it: wide, at three pixels a CSS pixel.
    browser
        .call(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(
                json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                    "width": 1000, "height": 800, "deviceScaleFactor": 3, "mobile": false
                }}),
            ),
        )
        .await;
    let data = browser
        .call(reqwest::Method::GET, "/screenshot", None)
        .await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(data.as_str().unwrap_or(""))
        .expect("base64 png");
    let shot = artifacts().join("label-sheet.png");
    std::fs::write(&shot, png).expect("screenshot written");
    if zbarimg.exists() {
        let read = Command::new(zbarimg)
            .args(["--quiet", "--raw"])
            .arg(&shot)
            .output()
            .expect("zbarimg runs");
        let mut decoded: Vec<String> = String::from_utf8_lossy(&read.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        decoded.sort();
        assert_eq!(
            decoded, urls,
            "every QR code on the sheet opens its own label's page"
        );
    }

    // What a shopper's phone opens: genuine, counted.
    browser
        .call(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({"cmd": "Emulation.clearDeviceMetricsOverride", "params": {}})),
        )
        .await;
    browser.goto(&urls[0]).await;
    assert_eq!(
        browser
            .attribute("[data-testid=label]", "data-genuine")
            .await,
        "true"
    );
    assert_eq!(
        browser.attribute("[data-testid=scans]", "data-scans").await,
        "1"
    );
    assert!(browser
        .text("[data-testid=label] .name")
        .await
        .contains("hongqi"));
    browser.fits_the_phone().await;
    browser.goto(&urls[0]).await;
    assert_eq!(
        browser.attribute("[data-testid=scans]", "data-scans").await,
        "2"
    );
    browser.quit().await;
}
