//! What each provider preset fills in (facts from the providers' documentation; see
//! docs/configuration.md for the table). Anything the user writes wins over these.

use super::{OAuthFlow, Provider, TlsMode};

/// A server a preset knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointPreset {
    pub host: &'static str,
    pub port: u16,
    pub tls: TlsMode,
}

/// The three protocols an account can name a server for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Imap,
    Pop3,
    Smtp,
}

impl Protocol {
    pub fn key(self) -> &'static str {
        match self {
            Protocol::Imap => "imap",
            Protocol::Pop3 => "pop3",
            Protocol::Smtp => "smtp",
        }
    }

    /// The standard port for this protocol with this TLS mode.
    pub fn default_port(self, tls: TlsMode) -> u16 {
        match (self, tls) {
            (Protocol::Imap, TlsMode::Implicit) => 993,
            (Protocol::Imap, _) => 143,
            (Protocol::Pop3, TlsMode::Implicit) => 995,
            (Protocol::Pop3, _) => 110,
            (Protocol::Smtp, TlsMode::Implicit) => 465,
            (Protocol::Smtp, TlsMode::Starttls) => 587,
            (Protocol::Smtp, TlsMode::None) => 25,
        }
    }

    /// The TLS mode a well-known port implies (never plaintext: that must be written).
    pub fn tls_for_port(self, port: u16) -> Option<TlsMode> {
        match (self, port) {
            (Protocol::Imap, 993) | (Protocol::Pop3, 995) | (Protocol::Smtp, 465) => {
                Some(TlsMode::Implicit)
            }
            (Protocol::Imap, 143) | (Protocol::Pop3, 110) | (Protocol::Smtp, 587 | 25) => {
                Some(TlsMode::Starttls)
            }
            _ => None,
        }
    }
}

pub const MICROSOFT_DEFAULT_TENANT: &str = "organizations";
pub const MICROSOFT_PERSONAL_TENANT: &str = "consumers";
/// Tenants that are not one organisation: client credentials refuse them (AADSTS9001023).
pub const MICROSOFT_SHARED_TENANTS: [&str; 3] = ["common", "organizations", "consumers"];

pub const MICROSOFT_DELEGATED_SCOPES: [&str; 4] = [
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/POP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
    "offline_access",
];
pub const MICROSOFT_APP_ONLY_SCOPES: [&str; 1] = ["https://outlook.office365.com/.default"];
pub const GOOGLE_SCOPES: [&str; 1] = ["https://mail.google.com/"];

/// The server a provider uses for `protocol`, if it has a preset.
pub fn endpoint(provider: Provider, protocol: Protocol) -> Option<EndpointPreset> {
    let (host, port, tls) = match (provider, protocol) {
        (Provider::Generic, _) => return None,
        (Provider::Microsoft | Provider::MicrosoftPersonal, Protocol::Imap) => {
            ("outlook.office365.com", 993, TlsMode::Implicit)
        }
        (Provider::Microsoft | Provider::MicrosoftPersonal, Protocol::Pop3) => {
            ("outlook.office365.com", 995, TlsMode::Implicit)
        }
        (Provider::Microsoft, Protocol::Smtp) => ("smtp.office365.com", 587, TlsMode::Starttls),
        (Provider::MicrosoftPersonal, Protocol::Smtp) => {
            ("smtp-mail.outlook.com", 587, TlsMode::Starttls)
        }
        (Provider::Google, Protocol::Imap) => ("imap.gmail.com", 993, TlsMode::Implicit),
        (Provider::Google, Protocol::Pop3) => ("pop.gmail.com", 995, TlsMode::Implicit),
        (Provider::Google, Protocol::Smtp) => ("smtp.gmail.com", 465, TlsMode::Implicit),
    };
    Some(EndpointPreset { host, port, tls })
}

/// The flow a provider uses when the config names none.
pub fn default_flow(provider: Provider) -> Option<OAuthFlow> {
    match provider {
        Provider::Microsoft | Provider::MicrosoftPersonal => Some(OAuthFlow::Device),
        Provider::Google => Some(OAuthFlow::Browser),
        Provider::Generic => None,
    }
}

/// The tenant a provider uses when the config names none.
pub fn default_tenant(provider: Provider) -> Option<&'static str> {
    match provider {
        Provider::Microsoft => Some(MICROSOFT_DEFAULT_TENANT),
        Provider::MicrosoftPersonal => Some(MICROSOFT_PERSONAL_TENANT),
        Provider::Google | Provider::Generic => None,
    }
}

/// OAuth endpoints of a provider, `{tenant}` not yet substituted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OAuthEndpoints {
    pub device_authorization_url: Option<&'static str>,
    pub authorization_url: Option<&'static str>,
    pub token_url: Option<&'static str>,
}

pub fn oauth_endpoints(provider: Provider) -> OAuthEndpoints {
    match provider {
        Provider::Microsoft | Provider::MicrosoftPersonal => OAuthEndpoints {
            device_authorization_url: Some(concat!(
                "https://login.microsoftonline.com/{tenant}/oauth2/v2.0",
                "/devicecode"
            )),
            authorization_url: Some(concat!(
                "https://login.microsoftonline.com/{tenant}/oauth2/v2.0",
                "/authorize"
            )),
            token_url: Some(concat!(
                "https://login.microsoftonline.com/{tenant}/oauth2/v2.0",
                "/token"
            )),
        },
        Provider::Google => OAuthEndpoints {
            // Google refuses the mail scope in the device flow, so no device URL.
            device_authorization_url: None,
            authorization_url: Some("https://accounts.google.com/o/oauth2/v2/auth"),
            token_url: Some("https://oauth2.googleapis.com/token"),
        },
        Provider::Generic => OAuthEndpoints::default(),
    }
}

/// The scopes a provider asks for in `flow`.
pub fn scopes(provider: Provider, flow: OAuthFlow) -> Option<&'static [&'static str]> {
    match (provider, flow) {
        (Provider::Microsoft | Provider::MicrosoftPersonal, OAuthFlow::AppOnly) => {
            Some(&MICROSOFT_APP_ONLY_SCOPES)
        }
        (Provider::Microsoft | Provider::MicrosoftPersonal, _) => Some(&MICROSOFT_DELEGATED_SCOPES),
        (Provider::Google, _) => Some(&GOOGLE_SCOPES),
        (Provider::Generic, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS_LOGIN: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0";

    #[test]
    fn microsoft_urls_share_one_base() {
        let urls = oauth_endpoints(Provider::Microsoft);
        for url in [
            urls.device_authorization_url,
            urls.authorization_url,
            urls.token_url,
        ] {
            assert!(url.is_some_and(|u| u.starts_with(MS_LOGIN)), "{url:?}");
        }
    }
}
