//! The client a request came from, as the throttles key it.

/// The peer address — or, only when the peer is one of `GI_TRUSTED_PROXIES`, the right-most
/// untrusted address it forwards: a client must not pick its own throttle key.
pub fn client_address(request: &actix_web::HttpRequest) -> String {
    let trusted = request
        .app_data::<actix_web::web::Data<crate::service::ServiceState>>()
        .map(|state| state.settings.trusted_proxies.as_slice())
        .unwrap_or_default();
    super::forwarded::client_ip(
        request.peer_addr().map(|a| a.ip()),
        request.headers(),
        trusted,
    )
    .map(|ip| ip.to_string())
    .unwrap_or_else(|| "unknown".into())
}
