//! A browser in miniature for the page tests over HTTP: keeps cookies, follows no redirect,
//! posts forms with the CSRF token of the page they are on.

use std::collections::BTreeMap;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::StatusCode;

use crate::helpers::{TestApp, PASSWORD, PDF};

/// A browser in miniature: keeps cookies, follows no redirect, reads forms' CSRF tokens.
pub struct PageClient<'a> {
    pub app: &'a TestApp,
    pub http: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    /// Every Set-Cookie header seen, as sent.
    pub set_cookies: Vec<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub html: String,
    pub cache_control: String,
}

impl Page {
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.html.find(marker).expect("a form with a CSRF token") + marker.len();
        self.html[start..start + 64].to_owned()
    }
}

impl<'a> PageClient<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
            set_cookies: Vec::new(),
        }
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookie_header: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let response = request
            .header(COOKIE, cookie_header.join("; "))
            .send()
            .await
            .expect("the service answers");
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().expect("ascii").to_owned();
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
            self.set_cookies.push(text);
        }
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let cache_control = response
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let html = response.text().await.expect("body");
        Page {
            status,
            location,
            html,
            cache_control,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.http.get(self.app.url(path));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self.http.post(self.app.url(path)).form(fields);
        self.send(request).await
    }

    /// Posts a form the way the page at `form_page` would: with that page's CSRF token.
    pub async fn submit(&mut self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(form_page).await.csrf();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    /// Posts an upload form as a browser does (multipart): `fields`, then a PDF as `file`.
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        let file = reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("document.pdf");
        let request = self
            .http
            .post(self.app.url(path))
            .multipart(form.part("file", file));
        self.send(request).await
    }

    /// Posts a multipart form the way the page at `form_page` would (its CSRF token first),
    /// with `file` as the `file` part when given.
    pub async fn submit_multipart(
        &mut self,
        form_page: &str,
        action: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Page {
        let token = self.get(form_page).await.csrf();
        let mut form = reqwest::multipart::Form::new().text("csrf", token);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        if let Some((filename, bytes)) = file {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(filename.to_owned()),
            );
        }
        let request = self.http.post(self.app.url(action)).multipart(form);
        self.send(request).await
    }

    pub async fn sign_in(&mut self, username: &str) -> Page {
        self.submit(
            "/login",
            "/login",
            &[("username", username), ("password", PASSWORD)],
        )
        .await
    }
}
