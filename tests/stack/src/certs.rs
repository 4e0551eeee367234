//! A throw-away CA and a server certificate for "localhost" and 127.0.0.1, made per run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::CertificateDer;

use crate::error::StackError;

/// The run's certificates as written under `ROOT/certs`.
#[derive(Debug, Clone)]
pub struct Certs {
    /// PEM of the test CA: what postern's account `ca_file` points at.
    pub ca_file: PathBuf,
    pub ca_der: CertificateDer<'static>,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl Certs {
    pub(crate) fn generate(dir: &Path) -> Result<Certs, StackError> {
        std::fs::create_dir_all(dir).map_err(StackError::fs("create", dir))?;

        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "postern test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate()?;
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let ca_issuer = Issuer::new(ca_params, ca_key);

        // rcgen turns a string that parses as an IP address into an IP SAN.
        let mut server_params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
        server_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let server_key = KeyPair::generate()?;
        let server_cert = server_params.signed_by(&server_key, &ca_issuer)?;

        let certs = Certs {
            ca_file: dir.join("ca.pem"),
            ca_der: ca_cert.der().clone(),
            server_cert: dir.join("server.crt"),
            server_key: dir.join("server.key"),
        };
        write(&certs.ca_file, &ca_cert.pem())?;
        write(&certs.server_cert, &server_cert.pem())?;
        write(&certs.server_key, &server_key.serialize_pem())?;
        Ok(certs)
    }

    /// A rustls client config (ring provider) trusting only the run's CA.
    pub fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, StackError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der.clone())?;
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

fn write(path: &Path, text: &str) -> Result<(), StackError> {
    std::fs::write(path, text).map_err(StackError::fs("write", path))
}
