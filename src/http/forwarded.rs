//! Which client a request came from, and whether it reached us over TLS, when a reverse proxy
//! may stand in front. Forwarded headers (`Forwarded`, `X-Forwarded-For`, `X-Forwarded-Proto`)
//! are believed only when the peer itself is one of `GI_TRUSTED_PROXIES`; anybody else could
//! write them to pick their own throttle key or scheme. Pure: headers in, an answer out.

use std::net::IpAddr;

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// `GI_TRUSTED_PROXIES`: comma-separated IP addresses and CIDR ranges.
pub fn parse_trusted_proxies(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| part.to_owned())
        })
        .collect()
}

fn is_trusted(address: IpAddr, trusted: &[IpNet]) -> bool {
    // An IPv4 peer may arrive as an IPv4-mapped IPv6 address on a dual-stack socket.
    let address = match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    trusted.iter().any(|net| net.contains(&address))
}

/// One `for=` value of `Forwarded` (`192.0.2.1`, `"[2001:db8::1]:4711"`, `1.2.3.4:80`) or one
/// entry of `X-Forwarded-For`, as an address; `unknown` and obfuscated names are none.
fn node_address(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    if let Ok(address) = raw.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    // `a.b.c.d:port`
    let (host, port) = raw.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The values of one header over all its lines, in order, split at commas.
fn list<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

/// `key=value` of one `Forwarded` element (`for=…;proto=…`).
fn forwarded_param<'a>(element: &'a str, key: &str) -> Option<&'a str> {
    element.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"'))
    })
}

/// The hops a trusted proxy reports, nearest last: `Forwarded` when present, else
/// `X-Forwarded-For`. `None` for a hop that is not an address.
fn reported_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded = list(headers, "forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .filter_map(|element| forwarded_param(element, "for"))
            .map(node_address)
            .collect();
    }
    list(headers, "x-forwarded-for")
        .into_iter()
        .map(node_address)
        .collect()
}

/// The client's address: the peer, or — only when the peer is a trusted proxy — the right-most
/// address of the forwarded chain that is not itself a trusted proxy.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    if !is_trusted(peer, trusted) {
        return Some(peer);
    }
    let mut nearest_trusted = peer;
    for hop in reported_hops(headers).into_iter().rev() {
        match hop {
            Some(address) if is_trusted(address, trusted) => nearest_trusted = address,
            Some(address) => return Some(address),
            // A hop our proxies would not have written: stop at the last one we can trust.
            None => return Some(nearest_trusted),
        }
    }
    Some(nearest_trusted)
}

/// Whether the client reached the first proxy over TLS: only a trusted proxy's word counts.
pub fn forwarded_https(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> bool {
    if !peer.is_some_and(|p| is_trusted(p, trusted)) {
        return false;
    }
    let forwarded = list(headers, "forwarded");
    let proto = if forwarded.is_empty() {
        list(headers, "x-forwarded-proto").last().copied()
    } else {
        forwarded
            .iter()
            .rev()
            .find_map(|element| forwarded_param(element, "proto"))
    };
    proto.is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn trusted_proxies_are_ips_and_cidrs_and_anything_else_is_named() {
        let nets = parse_trusted_proxies("127.0.0.1, 10.0.0.0/8,::1").unwrap();
        assert_eq!(nets.len(), 3);
        assert!(is_trusted(ip("10.1.2.3"), &nets));
        assert!(is_trusted(ip("::ffff:127.0.0.1"), &nets));
        assert!(!is_trusted(ip("11.0.0.1"), &nets));
        assert_eq!(parse_trusted_proxies("").unwrap(), vec![]);
        assert_eq!(
            parse_trusted_proxies("10.0.0.0/8,proxy.local"),
            Err("proxy.local".to_owned())
        );
        assert_eq!(
            parse_trusted_proxies("10.0.0.0/33"),
            Err("10.0.0.0/33".into())
        );
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_writes() {
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("forwarded", "for=5.6.7.8;proto=https"),
            ("x-forwarded-proto", "https"),
        ]);
        let peer = Some(ip("203.0.113.9"));
        assert_eq!(client_ip(peer, &h, &[]), peer);
        assert!(!forwarded_https(peer, &h, &[]));
        let trusted = parse_trusted_proxies("10.0.0.0/8").unwrap();
        assert_eq!(client_ip(peer, &h, &trusted), peer);
        assert!(!forwarded_https(peer, &h, &trusted));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = parse_trusted_proxies("10.0.0.0/8").unwrap();
        let peer = Some(ip("10.0.0.1"));
        // The client forged the first entry; the proxies appended the real one and themselves.
        let h = headers(&[("x-forwarded-for", "9.9.9.9, 198.51.100.7, 10.0.0.2")]);
        assert_eq!(client_ip(peer, &h, &trusted), Some(ip("198.51.100.7")));
        let h = headers(&[
            ("x-forwarded-for", "9.9.9.9"),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(client_ip(peer, &h, &trusted), Some(ip("198.51.100.7")));
        let h = headers(&[(
            "forwarded",
            "for=9.9.9.9, for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.2:80",
        )]);
        assert_eq!(client_ip(peer, &h, &trusted), Some(ip("2001:db8::7")));
        assert!(forwarded_https(peer, &h, &trusted));
        // No header, or garbage where the proxy's entry should be: the nearest trusted hop.
        assert_eq!(client_ip(peer, &HeaderMap::new(), &trusted), peer);
        let h = headers(&[("x-forwarded-for", "1.2.3.4, garbage, 10.0.0.2")]);
        assert_eq!(client_ip(peer, &h, &trusted), Some(ip("10.0.0.2")));
        assert!(forwarded_https(
            peer,
            &headers(&[("x-forwarded-proto", "https")]),
            &trusted
        ));
        assert!(!forwarded_https(
            peer,
            &headers(&[("x-forwarded-proto", "http")]),
            &trusted
        ));
    }
}
