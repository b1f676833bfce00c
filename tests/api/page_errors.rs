//! Errors of pages are pages: a refusal on a public or signed-in page, and an address nothing
//! is at asked for by a browser, answer HTML in the visitor's language (with `Retry-After` on
//! 429), while the JSON API and JSON clients keep problem+json.

use std::collections::BTreeMap;

use reqwest::header::{ACCEPT, COOKIE, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::StatusCode;

use crate::helpers::{spawn_app, Cast, Reply, TestApp, PASSWORD};

/// What Firefox sends for a page.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// A browser in miniature: keeps cookies, follows no redirect, sends a browser's `Accept`.
struct Browser<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Reply {
        let cookies: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let response = request
            .header(ACCEPT, BROWSER_ACCEPT)
            .header(COOKIE, cookies.join("; "))
            .send()
            .await
            .expect("the service answers");
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().expect("ascii");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        Reply::read(response).await
    }

    async fn get(&mut self, path: &str) -> Reply {
        let request = self.http.get(self.app.url(path));
        self.send(request).await
    }

    /// Posts a form the way the page at `form_page` would: with that page's CSRF token.
    async fn submit(&mut self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let token = csrf(&self.get(form_page).await.text);
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        let request = self.http.post(self.app.url(action)).form(&all);
        self.send(request).await
    }
}

/// The CSRF token of the first form on a page.
fn csrf(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..start + 64].to_owned()
}

fn assert_page(reply: &Reply, status: u16, lang: &str) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text);
    assert!(
        reply.content_type().starts_with("text/html"),
        "content type {}: {}",
        reply.content_type(),
        reply.text
    );
    assert!(
        reply.text.contains(&format!("<html lang=\"{lang}\">")),
        "{}",
        reply.text
    );
}

fn retry_after(reply: &Reply) -> u64 {
    reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header")
}

#[tokio::test]
async fn the_eleventh_report_of_an_hour_is_a_page_with_429_in_the_visitors_language() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    let verdict = "/verify/91441881MA4WTEA03X";
    let action = format!("{verdict}/report");
    let report = [
        ("code_seen", "91441881MA4WTEA03X"),
        ("place", "英德市某市场"),
        ("description", "标志上的代码查不到"),
    ];
    for n in 0..10 {
        let sent = browser.submit(verdict, &action, &report).await;
        assert_eq!(
            sent.status,
            StatusCode::CREATED,
            "report {n}: {}",
            sent.text
        );
    }
    let eleventh = browser.submit(verdict, &action, &report).await;
    assert_page(&eleventh, 429, "zh");
    assert!(retry_after(&eleventh) > 0);
    assert!(eleventh.text.contains("尝试次数过多"), "{}", eleventh.text);
    assert!(eleventh.text.contains("分钟后再试"), "{}", eleventh.text);

    let english = browser
        .submit(
            &format!("{verdict}?lang=en"),
            &format!("{action}?lang=en"),
            &report,
        )
        .await;
    assert_page(&english, 429, "en");
    assert!(retry_after(&english) > 0);
    assert!(
        english.text.contains("Too many attempts"),
        "{}",
        english.text
    );
    assert_eq!(app.count_rows("fake_reports").await, 10);
}

#[tokio::test]
async fn an_unknown_address_asked_for_by_a_browser_is_a_404_page_chinese_by_default() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    let zh = browser.get("/no/such/page").await;
    assert_page(&zh, 404, "zh");
    assert!(zh.text.contains("未找到"), "{}", zh.text);
    assert!(zh.text.contains("href=\"/\""), "a way home");

    let en = browser.get("/no/such/page?lang=en").await;
    assert_page(&en, 404, "en");
    assert!(
        en.text.contains("Nothing is at this address"),
        "{}",
        en.text
    );
}

#[tokio::test]
async fn json_clients_and_the_api_keep_problems_for_unknown_addresses() {
    let app = spawn_app().await;
    let ask = |path: &'static str, accept: &'static str| {
        let request = app.client.get(app.url(path)).header(ACCEPT, accept);
        async move { Reply::read(request.send().await.expect("sent")).await }
    };
    ask("/api/v1/nope", "application/json")
        .await
        .assert_problem(404);
    // The JSON API answers problems whatever the client prefers.
    ask("/api/v1/nope", BROWSER_ACCEPT)
        .await
        .assert_problem(404);
    // A client that asks for JSON first keeps JSON everywhere.
    ask("/no/such/page", "application/json, text/html")
        .await
        .assert_problem(404);
    ask("/no/such/page", "*/*").await.assert_problem(404);
}

#[tokio::test]
async fn a_pages_409_for_an_action_from_the_wrong_state_is_a_page() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let draft = app.complete_draft(&cast.producer).await;
    let submitted = app
        .action(&cast.producer, &draft, "submit", serde_json::json!({}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);

    let mut producer = Browser::new(&app);
    let signed_in = producer
        .submit(
            "/login",
            "/login",
            &[("username", "hongqi"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.text
    );
    let page = format!("/applications/{draft}");
    // (Submitting again is not refused: it finds what was asked for done, and says so.)
    let again = producer
        .submit(&page, &format!("{page}/actions/resubmit"), &[])
        .await;
    assert_page(&again, 409, "zh");
    assert!(again.text.contains("role=\"alert\""), "{}", again.text);
}

#[tokio::test]
async fn a_query_a_page_cannot_read_is_a_400_page_and_the_apis_stays_a_problem() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    let page = browser.get("/?page=abc&lang=en").await;
    assert_page(&page, 400, "en");
    assert!(page.text.contains("cannot read"), "{}", page.text);
    browser
        .get("/api/v1/public/authorized-users?page=abc")
        .await
        .assert_problem(400);
}
