//! Which representation a request prefers, from its `Accept` header.

/// Does the request prefer an HTML page to JSON? Yes when `text/html` (or XHTML) is accepted
/// with a higher quality than `application/json` (or any `+json` type), or with the same
/// quality but listed first — as every browser sends. No `Accept`, `*/*` or a JSON type first
/// keeps JSON.
pub fn prefers_html(accept: Option<&str>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    // (quality, position) of the best range of each kind.
    let mut html: Option<(f32, usize)> = None;
    let mut json: Option<(f32, usize)> = None;
    for (position, part) in accept.split(',').enumerate() {
        let mut pieces = part.trim().split(';');
        let media = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let slot = if media == "text/html" || media == "application/xhtml+xml" {
            &mut html
        } else if media == "application/json"
            || (media.starts_with("application/") && media.ends_with("+json"))
        {
            &mut json
        } else {
            continue;
        };
        if slot.is_none_or(|(q, _)| quality > q) {
            *slot = Some((quality, position));
        }
    }
    match (html, json) {
        (Some((hq, _)), _) if hq <= 0.0 => false,
        (Some(_), None) => true,
        (Some((hq, hp)), Some((jq, jp))) => hq > jq || (hq == jq && hp < jp),
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::prefers_html;

    #[test]
    fn a_browser_prefers_html_and_an_api_client_json() {
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(prefers_html(Some(firefox)));
        assert!(prefers_html(Some("text/html")));
        assert!(prefers_html(Some("text/html, application/json")));
        assert!(!prefers_html(Some("application/json, text/html")));
        assert!(!prefers_html(Some("application/json")));
        assert!(!prefers_html(Some("text/html;q=0.5, application/json")));
        assert!(prefers_html(Some("application/json;q=0.5, text/html")));
        assert!(!prefers_html(Some("*/*")));
        assert!(!prefers_html(Some("text/html;q=0")));
        assert!(!prefers_html(None));
    }
}
