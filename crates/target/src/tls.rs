//! A self-signed certificate made at start, and the TLS acceptor built on it.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// Protocols offered by ALPN, preferred first.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot generate the self-signed certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("cannot build the TLS server configuration: {0}")]
    Config(#[from] rustls::Error),
}

impl From<TlsError> for io::Error {
    fn from(err: TlsError) -> io::Error {
        io::Error::other(err)
    }
}

/// A certificate and key valid for `localhost`, 127.0.0.1, ::1 and any extra address.
pub struct TlsIdentity {
    cert_der: CertificateDer<'static>,
    cert_pem: String,
    key_der: PrivatePkcs8KeyDer<'static>,
}

impl TlsIdentity {
    /// Generates a fresh identity; `extra` adds the listening address when it is not loopback.
    pub fn self_signed(extra: Option<IpAddr>) -> Result<TlsIdentity, TlsError> {
        let mut names = vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ];
        if let Some(ip) = extra.filter(|ip| !ip.is_loopback() && !ip.is_unspecified()) {
            names.push(ip.to_string());
        }
        let certified = rcgen::generate_simple_self_signed(names)?;

        Ok(TlsIdentity {
            cert_der: certified.cert.der().clone(),
            cert_pem: certified.cert.pem(),
            key_der: PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()),
        })
    }

    /// The certificate, for a client to add to its trusted roots.
    pub fn certificate_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// The certificate in PEM form.
    pub fn certificate_pem(&self) -> &str {
        &self.cert_pem
    }

    /// An acceptor with the ring provider, offering h2 and http/1.1.
    pub(crate) fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(self.key_der.clone_key());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![self.cert_der.clone()], key)?;
        config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();

        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

impl std::fmt::Debug for TlsIdentity {
    // The private key stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity").finish_non_exhaustive()
    }
}
