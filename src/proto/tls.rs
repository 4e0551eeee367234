//! TLS for every mail connection: rustls (ring), the system's roots plus the account's
//! `ca_file`, host-name verification always on, implicit TLS or STARTTLS.
//!
//! Roots come from the operating system (rustls-native-certs) rather than a bundled
//! list: a company CA that IT installed system-wide, and the OS's own updates and
//! distrust decisions, then apply to postern as to every other program.

use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::error::{ProtoError, TlsError};
use super::stream::MailStream;
use super::{Peer, Timeouts, starttls};
use crate::auth::sasl::Protocol;
use crate::config::{Endpoint, TlsMode};

/// The system's trusted roots, read once per process (parsing the store takes a few
/// milliseconds and it does not change under a running program).
fn system_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        if !found.errors.is_empty() {
            tracing::debug!(
                errors = found.errors.len(),
                "some system certificates could not be read"
            );
        }
        found.certs
    })
}

/// A client configuration trusting the system's roots and, when given, the PEM
/// certificates in `ca_file`.
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    // Individual unusable system certificates are skipped, as browsers do.
    let (_added, _ignored) = roots.add_parsable_certificates(system_roots().iter().cloned());
    if let Some(path) = ca_file {
        for cert in read_ca_file(path)? {
            roots.add(cert).map_err(|error| TlsError::CaFileInvalid {
                path: path.to_path_buf(),
                detail: error.to_string(),
            })?;
        }
    }
    if roots.is_empty() {
        return Err(TlsError::NoRoots);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = std::fs::read(path).map_err(|source| TlsError::CaFileRead {
        path: path.to_path_buf(),
        source,
    })?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsError::CaFileInvalid {
            path: path.to_path_buf(),
            detail: error.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::CaFileEmpty {
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}

/// A connection ready for the protocol client.
#[derive(Debug)]
pub struct Connected {
    pub stream: MailStream,
    /// The greeting, when it was read before STARTTLS (no new one comes after it).
    pub greeting: Option<String>,
}

/// Connects to `endpoint` and secures the connection as configured. With STARTTLS,
/// nothing but the greeting, the capability query and STARTTLS itself is exchanged in
/// clear; any failure stops here, before a credential could be sent.
pub async fn open(
    endpoint: &Endpoint,
    config: Arc<ClientConfig>,
    protocol: Protocol,
    timeouts: &Timeouts,
) -> Result<Connected, ProtoError> {
    let peer = Peer::new(&endpoint.host, endpoint.port);
    match endpoint.tls {
        TlsMode::Implicit => {
            let tcp = connect_tcp(&peer, timeouts).await?;
            let tls = handshake(config, &peer, tcp, timeouts).await?;
            Ok(Connected {
                stream: MailStream::tls(tls),
                greeting: None,
            })
        }
        TlsMode::Starttls => {
            let tcp = connect_tcp(&peer, timeouts).await?;
            let (tcp, greeting) = starttls::negotiate(protocol, tcp, &peer, timeouts).await?;
            let tls = handshake(config, &peer, tcp, timeouts).await?;
            Ok(Connected {
                stream: MailStream::tls(tls),
                greeting: Some(greeting),
            })
        }
        TlsMode::None => {
            // The config already refuses this for other hosts; check again here, where
            // it matters.
            if !is_loopback(&endpoint.host) {
                return Err(ProtoError::PlaintextRefused {
                    host: endpoint.host.clone(),
                });
            }
            let tcp = connect_tcp(&peer, timeouts).await?;
            Ok(Connected {
                stream: MailStream::plain(tcp),
                greeting: None,
            })
        }
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) async fn connect_tcp(peer: &Peer, timeouts: &Timeouts) -> Result<TcpStream, ProtoError> {
    peer.timed(timeouts.connect, "connect", async {
        let tcp = TcpStream::connect((peer.host.as_str(), peer.port))
            .await
            .map_err(|source| ProtoError::Connect {
                host: peer.host.clone(),
                port: peer.port,
                source,
            })?;
        // Every command is written whole and flushed: Nagle's algorithm could only
        // hold a small command (a pipelined FETCH) back until the server acknowledges
        // earlier data. Failing to set it changes nothing but speed.
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    })
    .await
}

/// The TLS handshake, verifying the certificate chain and that it names `peer.host`.
pub(crate) async fn handshake(
    config: Arc<ClientConfig>,
    peer: &Peer,
    tcp: TcpStream,
    timeouts: &Timeouts,
) -> Result<TlsStream<TcpStream>, ProtoError> {
    let handshake_error = |source| ProtoError::Handshake {
        host: peer.host.clone(),
        port: peer.port,
        source,
    };
    let host = peer.host.trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(host.to_owned()).map_err(|error| {
        handshake_error(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("`{host}` is not a valid host name: {error}"),
        ))
    })?;
    peer.timed(timeouts.handshake, "TLS handshake", async {
        TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(handshake_error)
    })
    .await
}
