//! Sending e-mail through an SMTP server (`GI_SMTP_URL`, `GI_MAIL_FROM`) with `lettre`.
//! `smtp://host:port` speaks plain SMTP and upgrades with STARTTLS when the server offers it;
//! `?tls=required` refuses a server that does not, `smtps://` wraps the connection in TLS.
//! User and password, when the server needs them, come in the URL.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one delivery may take (connect, greet, send) before it counts as failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// One message to one address.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The `Message-ID` (without angle brackets): the same message sent twice carries the
    /// same one, so receivers and tests can tell a repeat from a new message.
    pub message_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// No SMTP server is configured: the message waits.
    #[error("no SMTP server is configured (GI_SMTP_URL, GI_MAIL_FROM)")]
    NotConfigured,
    /// The message itself cannot be sent (a recipient that is no address): trying again
    /// will not help.
    #[error("the message cannot be sent: {0}")]
    Rejected(String),
    /// The server could not be reached or refused for now: try again later.
    #[error("delivery failed: {0}")]
    Failed(String),
}

impl MailError {
    /// Worth trying again later.
    pub fn is_transient(&self) -> bool {
        !matches!(self, MailError::Rejected(_))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("GI_SMTP_URL: {0}")]
    Url(String),
    #[error("GI_MAIL_FROM: `{0}` is not an address like `登记处 <gi@example.gov.cn>`")]
    From(String),
    #[error("GI_SMTP_URL and GI_MAIL_FROM go together: set both or neither")]
    Half,
}

/// The configured SMTP server, or none.
pub struct Mailer {
    server: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox, String)>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server.as_ref().map(|(_, _, shown)| shown))
            .finish()
    }
}

impl Mailer {
    pub fn none() -> Self {
        Self { server: None }
    }

    /// From the settings; both or neither of the URL and the sender.
    pub fn from_settings(
        smtp_url: Option<&str>,
        mail_from: Option<&str>,
    ) -> Result<Self, MailSetupError> {
        match (smtp_url, mail_from) {
            (None, None) => Ok(Self::none()),
            (Some(url), Some(from)) => {
                let from: Mailbox = from
                    .trim()
                    .parse()
                    .map_err(|_| MailSetupError::From(from.to_owned()))?;
                let (transport, shown) = transport(url)?;
                Ok(Self {
                    server: Some((transport, from, shown)),
                })
            }
            _ => Err(MailSetupError::Half),
        }
    }

    pub fn is_configured(&self) -> bool {
        self.server.is_some()
    }

    /// The server as logs may show it (no password).
    pub fn server_name(&self) -> Option<&str> {
        self.server.as_ref().map(|(_, _, shown)| shown.as_str())
    }

    /// Sends one message; each call opens its own connection.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let Some((transport, from, _)) = &self.server else {
            return Err(MailError::NotConfigured);
        };
        let to: Mailbox =
            mail.to.trim().parse().map_err(|_| {
                MailError::Rejected("the recipient is not an e-mail address".into())
            })?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}>", mail.message_id)))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| MailError::Rejected(e.to_string()))?;
        match transport.send(message).await {
            Ok(_) => Ok(()),
            // A permanent refusal of this message (a 5xx for the recipient) will not change.
            Err(error) if error.is_permanent() => Err(MailError::Rejected(error.to_string())),
            Err(error) => Err(MailError::Failed(error.to_string())),
        }
    }
}

/// The transport a `GI_SMTP_URL` names, and the URL without its password for the logs.
fn transport(raw: &str) -> Result<(AsyncSmtpTransport<Tokio1Executor>, String), MailSetupError> {
    let url = url::Url::parse(raw.trim()).map_err(|e| MailSetupError::Url(e.to_string()))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| MailSetupError::Url("names no host".into()))?
        .to_owned();
    let tls_asked = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let mut builder = match (url.scheme(), tls_asked.as_deref()) {
        ("smtp", None) => {
            let tls =
                TlsParameters::new(host.clone()).map_err(|e| MailSetupError::Url(e.to_string()))?;
            AsyncSmtpTransport::<Tokio1Executor>::from_url(raw.trim())
                .map_err(|e| MailSetupError::Url(e.to_string()))?
                .tls(Tls::Opportunistic(tls))
        }
        ("smtp" | "smtps", _) => AsyncSmtpTransport::<Tokio1Executor>::from_url(raw.trim())
            .map_err(|e| MailSetupError::Url(e.to_string()))?,
        (other, _) => {
            return Err(MailSetupError::Url(format!(
                "scheme `{other}`: use smtp://host:port or smtps://host:port"
            )))
        }
    };
    builder = builder.timeout(Some(SEND_TIMEOUT));
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    Ok((builder.build(), shown.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_url_and_the_sender_go_together_and_must_be_valid() {
        assert!(!Mailer::from_settings(None, None).unwrap().is_configured());
        assert!(matches!(
            Mailer::from_settings(Some("smtp://127.0.0.1:25"), None),
            Err(MailSetupError::Half)
        ));
        assert!(matches!(
            Mailer::from_settings(Some("http://127.0.0.1:25"), Some("a@example.cn")),
            Err(MailSetupError::Url(_))
        ));
        assert!(matches!(
            Mailer::from_settings(Some("smtp://127.0.0.1:25"), Some("not an address")),
            Err(MailSetupError::From(_))
        ));
        let mailer = Mailer::from_settings(
            Some("smtp://user:secret@mail.example.cn:587"),
            Some("英德市地理标志登记 <gi@example.gov.cn>"),
        )
        .unwrap();
        assert!(mailer.is_configured());
        let shown = mailer.server_name().unwrap();
        assert!(!shown.contains("secret"), "{shown}");
    }
}
