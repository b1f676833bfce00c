//! The page skeleton every page shares: the header with the site's name, the navigation and
//! the language switch, the one inline style sheet, the footer and the security headers.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::web::lang::Lang;

const STYLE: &str = r#"
:root { --red: #b3261e; --green: #1b6e3a; --amber: #8a5a00; --ink: #1d1b16; --muted: #5f5b53; --line: #e3ded3; --paper: #fbf8f2; --tea: #7a2e1d; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: var(--ink); background: var(--paper); }
header { background: var(--tea); color: #fff; padding: 12px 16px; }
header .bar { max-width: 960px; margin: 0 auto; display: flex; gap: 12px; align-items: center; justify-content: space-between; flex-wrap: wrap; }
header a { color: #fff; }
header h1 { font-size: 1.1rem; margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 16px; }
a { color: var(--tea); }
a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus { outline: 3px solid #f0b429; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: #fff; color: var(--tea); padding: 8px; z-index: 1; }
details { border-top: 1px solid var(--line); padding: 8px 0; } summary { cursor: pointer; font-weight: 600; min-height: 44px; display: flex; align-items: center; }
a.button { display: inline-block; background: var(--tea); color: #fff; padding: 10px 14px; border-radius: 8px; text-decoration: none; min-height: 44px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px; margin: 0 0 16px; }
h2 { font-size: 1.1rem; margin: 0 0 12px; }
.counter .number { font-size: 2.6rem; font-weight: 700; color: var(--tea); line-height: 1.1; }
.progress { height: 14px; background: var(--line); border-radius: 7px; overflow: hidden; margin: 10px 0; }
.progress > span { display: block; height: 100%; background: var(--green); }
.muted { color: var(--muted); font-size: .92rem; }
form.search { display: flex; flex-wrap: wrap; gap: 8px; }
form.search input[type=search] { flex: 1 1 220px; }
input, select, button { font: inherit; padding: 10px 12px; border: 1px solid #b9b2a5; border-radius: 8px; min-height: 44px; }
button { background: var(--tea); color: #fff; border-color: var(--tea); cursor: pointer; }
ul.results { list-style: none; margin: 12px 0 0; padding: 0; }
ul.results li { border-top: 1px solid var(--line); padding: 10px 0; }
.name { font-weight: 600; }
.code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; letter-spacing: .02em; word-break: break-all; }
.tag { display: inline-block; white-space: nowrap; padding: 1px 8px; border-radius: 999px; font-size: .85rem; border: 1px solid currentColor; }
.tag.active { color: var(--green); } .tag.suspended { color: var(--amber); } .tag.revoked, .tag.surrendered { color: var(--red); }
.verdict { text-align: center; padding: 28px 16px; border-radius: 12px; color: #fff; }
.verdict .mark { font-size: 3.2rem; line-height: 1; }
.verdict h2 { font-size: 1.5rem; margin: 8px 0 4px; color: #fff; }
.verdict.authorized { background: var(--green); } .verdict.suspended { background: var(--amber); }
.verdict.revoked, .verdict.not_authorized { background: var(--red); } .verdict.not_found { background: #5f5b53; }
table { width: 100%; border-collapse: collapse; } td, th { text-align: left; padding: 6px 4px; border-top: 1px solid var(--line); vertical-align: top; }
svg.chart { width: 100%; height: auto; }
header nav { display: flex; gap: 6px 14px; flex-wrap: wrap; align-items: center; }
header nav form { margin: 0; }
header nav button { background: none; border: 1px solid #fff; min-height: 36px; padding: 4px 10px; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
.field input, .field select, .field textarea { width: 100%; }
textarea { font: inherit; padding: 10px 12px; border: 1px solid #b9b2a5; border-radius: 8px; }
.field .hint { font-weight: 400; }
.error { color: var(--red); margin: 4px 0 0; }
.field.invalid input, .field.invalid select, .field.invalid textarea { border-color: var(--red); border-width: 2px; }
.opinion { background: #fff4e5; border-left: 4px solid var(--amber); padding: 6px 10px; margin: 6px 0 0; }
.notice { background: #e8f3ec; border-left: 4px solid var(--green); padding: 10px 12px; }
.alert { background: #fdecea; border-left: 4px solid var(--red); padding: 10px 12px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; }
.actions form { margin: 0; }
button.secondary { background: #fff; color: var(--tea); }
button.danger { background: var(--red); border-color: var(--red); }
.overdue { color: var(--red); font-weight: 600; }
.table-wrap { overflow-x: auto; }
dl.facts { display: grid; grid-template-columns: minmax(7em, max-content) 1fr; gap: 4px 12px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-word; }
@media (max-width: 600px) {
  table.stack thead { display: none; }
  table.stack tr { display: block; border-top: 1px solid var(--line); padding: 6px 0; }
  table.stack td { display: block; border: 0; padding: 2px 0; }
  table.stack td::before { content: attr(data-label) " "; color: var(--muted); }
}
.qr img { width: 180px; height: 180px; background: #fff; }
footer { max-width: 960px; margin: 0 auto; padding: 8px 16px 32px; }
ol.steps { list-style: none; counter-reset: step; display: flex; flex-wrap: wrap; gap: 8px; padding: 0; margin: 0; }
ol.steps li { counter-increment: step; flex: 1 1 150px; border: 1px solid var(--line); border-top: 4px solid var(--tea); border-radius: 8px; padding: 8px 10px; background: #fff; display: flex; flex-direction: column; gap: 4px; }
.message-body { white-space: pre-wrap; }
ol.steps li::before { content: counter(step); font-weight: 700; color: var(--tea); }
.error-summary { border: 3px solid var(--red); border-radius: 10px; background: #fff; padding: 10px 14px; margin: 0 0 12px; }
.error-summary h2 { color: var(--red); margin: 0 0 6px; }
.error-summary ul { margin: 0; padding-left: 1.2em; } .error-summary a { color: var(--red); font-weight: 600; }
details[data-action] > summary, details.action > summary { display: inline-flex; background: #fff; color: var(--tea); border: 2px solid var(--tea); border-radius: 8px; padding: 8px 14px; list-style: none; }
details[data-action] > summary::-webkit-details-marker { display: none; }
details[data-action] > summary::after { content: "▾"; margin-left: 8px; } details[data-action][open] > summary::after { content: "▴"; }
details.danger > summary { color: var(--red); border-color: var(--red); }
button:disabled { opacity: .6; cursor: progress; }
"#;

/// The pages' only script, inline: a form is sent once (a second click or Enter while the
/// first is on its way does nothing, and its buttons are greyed), the error summary of a
/// refused form takes the focus, and a page shown again from the back-forward cache has its
/// buttons back. It marks `<html data-script=ran>`, so a test sees the policy let it run.
const SCRIPT: &str = "document.addEventListener('submit',function(e){var f=e.target;if((f.method||'').toLowerCase()!=='post')return;if(f.dataset.sent){e.preventDefault();return}f.dataset.sent='1';setTimeout(function(){f.querySelectorAll('button').forEach(function(b){b.disabled=true})},0)});window.addEventListener('pageshow',function(){document.querySelectorAll('form[data-sent]').forEach(function(f){delete f.dataset.sent;f.querySelectorAll('button').forEach(function(b){b.disabled=false})})});var s=document.querySelector('.error-summary');if(s)s.focus();document.documentElement.dataset.script='ran';";

/// The Content-Security-Policy: nothing from elsewhere, and of scripts only [`SCRIPT`] (by
/// its hash), so an injected `<script>` would not run.
fn content_security_policy() -> &'static str {
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        use sha2::Digest;
        let hash = base64(&sha2::Sha256::digest(SCRIPT.as_bytes()));
        format!("default-src 'none'; script-src 'sha256-{hash}'; style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    })
}

/// Standard base64 with padding (a CSP hash source), small enough not to need a crate.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A whole public page: `title`, the language switch (pointing at `path` in the other
/// language, carried in `?lang=` so a shared link keeps it), a sign-in link, `body`.
pub fn public_page(
    lang: Lang,
    status: StatusCode,
    title: &str,
    path: &str,
    body: Markup,
) -> HttpResponse {
    let other_href = match lang {
        Lang::Zh => format!(
            "{path}{}lang=en",
            if path.contains('?') { '&' } else { '?' }
        ),
        // The choice is remembered in a cookie: going back to Chinese says so.
        Lang::En => {
            let path = path
                .replace("?lang=en&", "?")
                .replace("?lang=en", "")
                .replace("&lang=en", "");
            format!(
                "{path}{}lang=zh",
                if path.contains('?') { '&' } else { '?' }
            )
        }
    };
    let nav = html! {
        a href={ "/login" (lang.query()) } { (lang.pick("企业 / 审查人员登录", "Sign in")) }
    };
    layout(lang, status, title, &other_href, nav, body)
}

/// The page shell shared by public and signed-in pages: header with `nav` and the language
/// switch to `other_href`, the styles, the security headers.
pub fn layout(
    lang: Lang,
    status: StatusCode,
    title: &str,
    other_href: &str,
    nav: Markup,
    body: Markup,
) -> HttpResponse {
    let (other_label, other_code) = match lang {
        Lang::Zh => ("English", "en"),
        Lang::En => ("中文", "zh"),
    };
    let site = lang.pick(
        "英德市地理标志专用标志使用企业公示",
        "Yingde GI special mark — public registry",
    );
    let footer = lang.pick(
        "英德市市场监督管理局 · 地理标志专用标志使用登记。发现冒用专用标志，请向市场监管部门举报。",
        "Yingde Market Regulation Bureau · register of GI special mark users. Report misuse of the mark to market regulation.",
    );
    let page = document(
        lang,
        title,
        Styles::Site,
        html! {
            a class="skip" href="#main" { (lang.pick("跳到正文", "Skip to content")) }
            header {
                div class="bar" {
                    h1 { a href={ "/" (lang.query()) } { (site) } }
                    nav {
                        (nav)
                        a href=(other_href) lang=(other_code) { (other_label) }
                    }
                }
            }
            main id="main" { (body) }
            footer class="muted" { (footer) (crate::web::office::footer(lang)) }
            script { (PreEscaped(SCRIPT)) }
        },
    );
    html_response(status, page)
}

/// The HTML document every page is: its language, title and style sheet, then `body`.
/// Where a document's styles come from: the site's style sheet, fetched once and kept by the
/// browser (every page is ~7 KB lighter), or a print document's own, inline.
enum Styles<'a> {
    Site,
    Inline(&'a str),
}

/// The site's style sheet's address: its content's hash in the name, so it can be kept for a
/// year and a new release is fetched anew.
fn stylesheet_href() -> &'static str {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(STYLE.as_bytes());
        format!("/assets/site-{}.css", hex::encode(&digest[..6]))
    })
}

/// `GET /assets/{name}`: the site's style sheet under its current name, else 404.
pub fn stylesheet(name: &str) -> Option<HttpResponse> {
    (stylesheet_href().strip_prefix("/assets/") == Some(name)).then(|| {
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .body(STYLE)
    })
}

fn document(lang: Lang, title: &str, styles: Styles<'_>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                @match styles {
                    Styles::Site => link rel="stylesheet" href=(stylesheet_href());,
                    Styles::Inline(style) => style { (PreEscaped(style)) },
                }
            }
            body { (body) }
        }
    }
}

/// A document made to be printed (a certificate): its own style sheet, no site header or
/// footer, the same security headers.
pub fn print_document(lang: Lang, title: &str, style: &str, body: Markup) -> HttpResponse {
    let page = document(lang, title, Styles::Inline(style), body);
    html_response(StatusCode::OK, page)
}

fn html_response(status: StatusCode, page: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("Content-Security-Policy", content_security_policy()))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "same-origin"))
        .body(page.into_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_the_standard_one() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn the_policy_allows_the_page_script_only() {
        let policy = content_security_policy();
        let scripts = policy
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .expect("a script-src directive");
        assert!(scripts.trim().starts_with("script-src 'sha256-"));
        assert!(!scripts.contains("unsafe"), "{scripts}");
    }
}
