//! The `[accounts.<name>.auth]` table: method, OAuth2 flow, tenant, endpoints, scopes.

use std::ops::Range;

use toml::Spanned;

use super::super::presets;
use super::super::raw::RawAuth;
use super::super::{Auth, OAuth2, OAuthFlow, Provider};
use super::{
    AccountResolver, FLOWS, METHODS, Method, SASL_MECHANISMS, command, is_loopback, join,
    parse_choice,
};

impl AccountResolver<'_, '_, '_> {
    pub(super) fn auth(&mut self, provider: Provider, raw: &Spanned<RawAuth>) -> Option<Auth> {
        let path = self.key("auth");
        let auth = raw.get_ref();
        let Some(method_raw) = auth.method.as_ref() else {
            self.problems.at(
                raw.span(),
                &path,
                "missing key `method`: write method = \"oauth2\" or method = \"password\"",
            );
            return None;
        };
        match parse_choice(self.problems, method_raw, &join(&path, "method"), &METHODS)? {
            Method::Password => self.password(provider, raw, method_raw, &path),
            Method::OAuth2 => self.oauth2(provider, raw, &path).map(Auth::OAuth2),
        }
    }

    fn password(
        &mut self,
        provider: Provider,
        raw: &Spanned<RawAuth>,
        method: &Spanned<String>,
        path: &str,
    ) -> Option<Auth> {
        let auth = raw.get_ref();
        let before = self.problems.count();
        for (key, span) in auth.oauth_only_keys() {
            self.problems.at(
                span,
                &join(path, key),
                format!("`{key}` is only used with method = \"oauth2\"; remove it"),
            );
        }
        if matches!(provider, Provider::Microsoft | Provider::MicrosoftPersonal) {
            self.problems.at(
                method.span(),
                &join(path, "method"),
                "Microsoft has turned off password (basic) authentication for IMAP, POP and \
                 SMTP; use method = \"oauth2\"",
            );
        }
        let command = match auth.password_command.as_ref() {
            Some(command) => self.command(command, &join(path, "password_command")),
            None => {
                self.problems.at(
                    raw.span(),
                    path,
                    "missing key `password_command`: a command that prints the password, e.g. \
                     password_command = \"pass show mail/example\"",
                );
                None
            }
        };
        let command = command?;
        (self.problems.count() == before).then_some(Auth::Password {
            password_command: command,
        })
    }

    pub(super) fn command(&mut self, raw: &Spanned<String>, path: &str) -> Option<String> {
        command(self.problems, raw, path)
    }

    fn oauth2(&mut self, provider: Provider, raw: &Spanned<RawAuth>, path: &str) -> Option<OAuth2> {
        let auth = raw.get_ref();
        let before = self.problems.count();
        if let Some(command) = &auth.password_command {
            self.problems.at(
                command.span(),
                &join(path, "password_command"),
                "`password_command` is only used with method = \"password\"; remove it",
            );
        }
        let flow_path = join(path, "flow");
        let flow = match &auth.flow {
            Some(flow) => parse_choice(self.problems, flow, &flow_path, &FLOWS),
            None => {
                let default = presets::default_flow(provider);
                if default.is_none() {
                    self.problems.at(
                        raw.span(),
                        path,
                        "missing key `flow`: provider \"generic\" has no default; write \
                         flow = \"device\", \"browser\" or \"app-only\"",
                    );
                }
                default
            }
        };
        // Problems with the flow are reported where the flow is (or would be) written.
        let flow_span = auth.flow.as_ref().map_or_else(|| raw.span(), Spanned::span);
        let client_id = match &auth.client_id {
            Some(id) if id.get_ref().trim().is_empty() => {
                self.problems.at(
                    id.span(),
                    &join(path, "client_id"),
                    "client_id is empty; paste your app registration's client id",
                );
                None
            }
            Some(id) => Some(id.get_ref().trim().to_string()),
            None => {
                self.problems.at(
                    raw.span(),
                    path,
                    "missing key `client_id`: the OAuth client id of your app registration \
                     (see docs/configuration.md)",
                );
                None
            }
        };
        let tenant = self.tenant(provider, auth, path);
        let client_secret_command = match &auth.client_secret_command {
            Some(command) => self.command(command, &join(path, "client_secret_command")),
            None => None,
        };
        let sasl_mechanism = auth.sasl_mechanism.as_ref().and_then(|value| {
            parse_choice(
                self.problems,
                value,
                &join(path, "sasl_mechanism"),
                &SASL_MECHANISMS,
            )
        });
        let flow = flow?;
        if !self.check_flow(provider, flow, flow_span.clone(), &flow_path) {
            // Endpoints for a flow that cannot work would only add noise.
            return None;
        }
        if flow == OAuthFlow::AppOnly {
            if auth.client_secret_command.is_none() {
                self.problems.at(
                    flow_span.clone(),
                    path,
                    "missing key `client_secret_command`: flow = \"app-only\" (client \
                     credentials) needs the client secret; add a command that prints it",
                );
            }
            self.check_app_only_tenant(provider, tenant.as_deref(), auth, flow_span, path);
        }
        let urls = self.oauth_urls(provider, flow, tenant.as_deref(), auth, raw.span(), path);
        let scopes = self.scopes(provider, flow, auth, raw.span(), path);
        if self.problems.count() > before {
            return None;
        }
        let (device_authorization_url, authorization_url, token_url) = urls?;
        Some(OAuth2 {
            flow,
            client_id: client_id?,
            tenant,
            device_authorization_url,
            authorization_url,
            token_url,
            scopes: scopes?,
            client_secret_command,
            sasl_mechanism,
        })
    }

    fn tenant(&mut self, provider: Provider, auth: &RawAuth, path: &str) -> Option<String> {
        match (&auth.tenant, provider) {
            (Some(tenant), Provider::Google) => {
                self.problems.at(
                    tenant.span(),
                    &join(path, "tenant"),
                    "Google has no tenants; remove `tenant`",
                );
                None
            }
            (Some(tenant), _) if tenant.get_ref().trim().is_empty() => {
                self.problems.at(
                    tenant.span(),
                    &join(path, "tenant"),
                    "tenant is empty; write your tenant id or domain, or remove the key",
                );
                None
            }
            (Some(tenant), _) => Some(tenant.get_ref().trim().to_string()),
            (None, provider) => presets::default_tenant(provider).map(str::to_string),
        }
    }

    /// Flow/provider pairs that cannot work, refused now rather than at login.
    /// Returns whether the pair is usable.
    fn check_flow(
        &mut self,
        provider: Provider,
        flow: OAuthFlow,
        span: Range<usize>,
        path: &str,
    ) -> bool {
        let message = match (provider, flow) {
            (Provider::Google, OAuthFlow::Device) => {
                "Google refuses the https://mail.google.com/ scope in the device flow \
                 (\"Invalid device flow scope\"); use flow = \"browser\" (it works over SSH \
                 too: paste the redirected URL back)"
            }
            (Provider::Google, OAuthFlow::AppOnly) => {
                "Google has no client-credentials flow for Gmail; use flow = \"browser\""
            }
            (Provider::MicrosoftPersonal, OAuthFlow::AppOnly) => {
                "personal Microsoft accounts cannot use app-only access; use flow = \
                 \"device\" or \"browser\", or provider = \"microsoft\" for a work mailbox"
            }
            _ => return true,
        };
        self.problems.at(span, path, message);
        false
    }

    fn check_app_only_tenant(
        &mut self,
        provider: Provider,
        tenant: Option<&str>,
        auth: &RawAuth,
        flow_span: Range<usize>,
        path: &str,
    ) {
        if provider != Provider::Microsoft {
            return;
        }
        let Some(tenant) = tenant else { return };
        if !presets::MICROSOFT_SHARED_TENANTS
            .iter()
            .any(|shared| shared.eq_ignore_ascii_case(tenant))
        {
            return;
        }
        let span = auth.tenant.as_ref().map_or(flow_span, Spanned::span);
        self.problems.at(
            span,
            &join(path, "tenant"),
            format!(
                "flow = \"app-only\" needs your own tenant, not \"{tenant}\" (Microsoft \
                 answers AADSTS9001023); set tenant = \"<tenant id>\" or \
                 \"contoso.onmicrosoft.com\""
            ),
        );
    }

    /// The OAuth endpoints the flow needs: explicit values (with `{tenant}` substituted)
    /// win over the preset; a missing one is a problem only if the flow uses it.
    #[allow(clippy::type_complexity)]
    fn oauth_urls(
        &mut self,
        provider: Provider,
        flow: OAuthFlow,
        tenant: Option<&str>,
        auth: &RawAuth,
        auth_span: Range<usize>,
        path: &str,
    ) -> Option<(Option<String>, Option<String>, Option<String>)> {
        let preset = presets::oauth_endpoints(provider);
        let before = self.problems.count();
        let pick = |this: &mut Self,
                    key: &str,
                    raw: Option<&Spanned<String>>,
                    preset: Option<&'static str>,
                    needed: bool| {
            let key_path = join(path, key);
            match raw {
                Some(raw) => this.url(raw, tenant, &key_path),
                None if needed => match preset {
                    Some(url) => Some(url.replace("{tenant}", tenant.unwrap_or("common"))),
                    None => {
                        this.problems.at(
                            auth_span.clone(),
                            path,
                            format!(
                                "missing key `{key}`: flow = \"{}\" needs it and provider \
                                 \"{}\" has no preset for it",
                                flow.as_str(),
                                provider.as_str()
                            ),
                        );
                        None
                    }
                },
                None => None,
            }
        };
        let device = pick(
            self,
            "device_authorization_url",
            auth.device_authorization_url.as_ref(),
            preset.device_authorization_url,
            flow == OAuthFlow::Device,
        );
        let authorization = pick(
            self,
            "authorization_url",
            auth.authorization_url.as_ref(),
            preset.authorization_url,
            flow == OAuthFlow::Browser,
        );
        let token = pick(
            self,
            "token_url",
            auth.token_url.as_ref(),
            preset.token_url,
            true,
        );
        (self.problems.count() == before).then_some((device, authorization, token))
    }

    /// An endpoint URL: https, or http to a loopback host (a local test identity provider).
    fn url(&mut self, raw: &Spanned<String>, tenant: Option<&str>, path: &str) -> Option<String> {
        let written = raw.get_ref().trim();
        let url = if written.contains("{tenant}") {
            match tenant {
                Some(tenant) => written.replace("{tenant}", tenant),
                None => {
                    self.problems.at(
                        raw.span(),
                        path,
                        "the URL contains {tenant} but no tenant is set; add `tenant`",
                    );
                    return None;
                }
            }
        } else {
            written.to_string()
        };
        let ok = if let Some(rest) = url.strip_prefix("https://") {
            !authority(rest).is_empty()
        } else if let Some(rest) = url.strip_prefix("http://") {
            is_loopback(host_of_authority(authority(rest)))
        } else {
            false
        };
        if !ok {
            self.problems.at(
                raw.span(),
                path,
                format!(
                    "\"{written}\" is not a usable endpoint: write a full https:// URL \
                     (plain http:// only to localhost, where nothing can overhear the token)"
                ),
            );
            return None;
        }
        Some(url)
    }

    fn scopes(
        &mut self,
        provider: Provider,
        flow: OAuthFlow,
        auth: &RawAuth,
        auth_span: Range<usize>,
        path: &str,
    ) -> Option<Vec<String>> {
        let key_path = join(path, "scopes");
        match &auth.scopes {
            Some(list) if list.get_ref().is_empty() => {
                self.problems.at(
                    list.span(),
                    &key_path,
                    "scopes is empty; list at least one scope, or remove the key to use \
                     the provider's",
                );
                None
            }
            Some(list) => {
                let mut scopes = Vec::new();
                for scope in list.get_ref() {
                    let value = scope.get_ref().trim();
                    if value.is_empty() || value.contains(char::is_whitespace) {
                        self.problems.at(
                            scope.span(),
                            &key_path,
                            "each scope is one non-empty word without spaces",
                        );
                    } else {
                        scopes.push(value.to_string());
                    }
                }
                Some(scopes)
            }
            None => match presets::scopes(provider, flow) {
                Some(preset) => Some(preset.iter().map(|s| s.to_string()).collect()),
                None => {
                    self.problems.at(
                        auth_span,
                        path,
                        "missing key `scopes`: provider \"generic\" has no preset; list the \
                         scopes your server wants, e.g. scopes = [\"email\"]",
                    );
                    None
                }
            },
        }
    }
}

/// The `host[:port]` part of a URL after its scheme.
fn authority(rest: &str) -> &str {
    rest.split(['/', '?', '#']).next().unwrap_or_default()
}

/// The host of an authority: `[::1]:8080` -> `[::1]`, `127.0.0.1:80` -> `127.0.0.1`.
fn host_of_authority(authority: &str) -> &str {
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    authority.split(':').next().unwrap_or(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_url_authorities() {
        assert_eq!(host_of_authority(authority("[::1]:8080/token")), "[::1]");
        assert_eq!(host_of_authority(authority("127.0.0.1:80?x")), "127.0.0.1");
        assert_eq!(
            host_of_authority(authority("user@localhost/x")),
            "localhost"
        );
        assert_eq!(
            host_of_authority(authority("evil.com#@127.0.0.1")),
            "evil.com"
        );
    }
}
