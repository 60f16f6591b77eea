//! TLS to PostgreSQL as libpq does it: `sslmode` (`disable`, `prefer` (the default), `require`,
//! `verify-ca`, `verify-full`) and `sslrootcert`, read from the connection string, over rustls.
//!
//! tokio-postgres reads only `disable`, `prefer` and `require`, and no `sslrootcert`: both are
//! taken out of the string here (the rest is tokio-postgres's to parse), tokio-postgres is told
//! whether to ask for TLS, and the certificate checks are the verifier's built here:
//!
//! | sslmode | TLS | the server's certificate |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` | when the server offers it | not checked, unless a root CA is given |
//! | `require` | always | not checked, unless a root CA is given (then as `verify-ca`) |
//! | `verify-ca` | always | signed by a root CA |
//! | `verify-full` | always | signed by a root CA, and names the host connected to |
//!
//! The root CAs: the PEM file `sslrootcert` names, else libpq's `~/.postgresql/root.crt` when it
//! exists, else (or with `sslrootcert=system`) the platform's, as a managed server's
//! certificate is signed by a public CA. Over a Unix socket there is no TLS, as in libpq.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::SslMode as Negotiation;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::SyncError;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    const ALL: [(&'static str, SslMode); 5] = [
        ("disable", SslMode::Disable),
        ("prefer", SslMode::Prefer),
        ("require", SslMode::Require),
        ("verify-ca", SslMode::VerifyCa),
        ("verify-full", SslMode::VerifyFull),
    ];

    fn parse(text: &str) -> Result<Self, SyncError> {
        (Self::ALL.iter())
            .find(|(name, _)| *name == text)
            .map(|(_, mode)| *mode)
            .ok_or_else(|| {
                SyncError::invalid(
                    "db",
                    format!(
                        "sslmode={text} is not a mode this tool knows; use one of {}",
                        Self::ALL.map(|(name, _)| name).join(", ")
                    ),
                )
            })
    }

    pub(super) fn name(self) -> &'static str {
        (Self::ALL.iter())
            .find(|(_, mode)| *mode == self)
            .map_or("prefer", |(name, _)| name)
    }
}

/// Where the root CAs come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Roots {
    /// A PEM file of CA certificates.
    File(PathBuf),
    /// The platform's (`sslrootcert=system`).
    System,
}

/// The connection string's TLS options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tls {
    pub(super) mode: SslMode,
    /// `sslrootcert`, as given.
    root_cert: Option<Roots>,
}

impl Tls {
    /// Takes `sslmode` and `sslrootcert` out of `url` (a URL or libpq's `key=value` form);
    /// returns what is left, for tokio-postgres, and the options.
    pub(super) fn take(url: &str) -> Result<(String, Self), SyncError> {
        let (rest, options) = match url.split_once('?') {
            Some((base, query))
                if url.starts_with("postgres://") || url.starts_with("postgresql://") =>
            {
                take_from_query(base, query)
            }
            _ => take_from_key_values(url),
        };
        let mut mode = SslMode::Prefer;
        let mut root_cert = None;
        for (key, value) in options {
            match key.as_str() {
                "sslmode" => mode = SslMode::parse(&value)?,
                _ if value == "system" => root_cert = Some(Roots::System),
                _ => root_cert = Some(Roots::File(PathBuf::from(value))),
            }
        }
        Ok((rest, Self { mode, root_cert }))
    }

    /// What tokio-postgres is told: whether to ask the server for TLS. Over a Unix socket
    /// there is none.
    pub(super) fn negotiation(&self, unix_socket: bool) -> Negotiation {
        match self.mode {
            _ if unix_socket => Negotiation::Disable,
            SslMode::Disable => Negotiation::Disable,
            SslMode::Prefer => Negotiation::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Negotiation::Require,
        }
    }

    /// The rustls connector that checks the server's certificate as the mode says.
    pub(super) fn connector(&self) -> Result<MakeRustlsConnect, SyncError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match (self.mode, self.roots()) {
            (SslMode::VerifyFull, roots) => trusting(&roots.unwrap_or(Roots::System), &provider)?,
            (SslMode::VerifyCa, roots) => Arc::new(CaOnly(trusting(
                &roots.unwrap_or(Roots::System),
                &provider,
            )?)),
            // `prefer` and `require` with a root CA at hand check the CA, as libpq does.
            (_, Some(roots)) => Arc::new(CaOnly(trusting(&roots, &provider)?)),
            (_, None) => Arc::new(Unchecked(provider.signature_verification_algorithms)),
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| SyncError::invalid("db", format!("TLS: {error}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }

    /// The root CAs at hand: as given, else libpq's default file when it exists. (A mode that
    /// verifies and has none takes the platform's.)
    fn roots(&self) -> Option<Roots> {
        let default = || {
            std::env::var_os("HOME")
                .map(|home| Path::new(&home).join(".postgresql/root.crt"))
                .filter(|file| file.is_file())
                .map(Roots::File)
        };
        self.root_cert.clone().or_else(default)
    }

    /// A sentence on what to do about a certificate the handshake refused.
    pub(super) fn advice(&self, error: &rustls::Error) -> String {
        let roots = match self.roots() {
            Some(Roots::File(file)) => format!("the CA file {}", file.display()),
            _ => "the platform's root CAs".to_owned(),
        };
        match error {
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            ) => "connect by the host name the server's certificate names, or check the CA \
                  only with sslmode=verify-ca"
                .to_owned(),
            rustls::Error::InvalidCertificate(_) => format!(
                "the server's certificate is not signed by {roots}: give the CA that signed it \
                 as sslrootcert=FILE"
            ),
            _ => "check that the server is set up for TLS".to_owned(),
        }
    }
}

/// `sslmode` and `sslrootcert` out of a URL's query; the URL without them.
fn take_from_query(base: &str, query: &str) -> (String, Vec<(String, String)>) {
    let mut kept = Vec::new();
    let mut options = Vec::new();
    for part in query.split('&') {
        match form_urlencoded::parse(part.as_bytes()).next() {
            Some((key, value)) if is_tls_key(&key) => {
                options.push((key.into_owned(), value.into_owned()));
            }
            _ => kept.push(part),
        }
    }
    let rest = match kept.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", kept.join("&")),
    };
    (rest, options)
}

/// `sslmode` and `sslrootcert` out of libpq's `key = value` form (a value quoted with `'`,
/// `\` escaping the next character); the string without them. A string this cannot read is
/// left whole, for tokio-postgres to name what is wrong.
fn take_from_key_values(text: &str) -> (String, Vec<(String, String)>) {
    let Some(pairs) = key_values(text) else {
        return (text.to_owned(), Vec::new());
    };
    let mut rest = String::new();
    let mut options = Vec::new();
    for (key, value, span) in pairs {
        if is_tls_key(&key) {
            options.push((key, value));
        } else {
            rest.push_str(&text[span]);
            rest.push(' ');
        }
    }
    (rest.trim_end().to_owned(), options)
}

fn is_tls_key(key: &str) -> bool {
    key == "sslmode" || key == "sslrootcert"
}

/// Each `key = value` with its place in `text`; `None` when `text` is not of that form.
fn key_values(text: &str) -> Option<Vec<(String, String, std::ops::Range<usize>)>> {
    let mut pairs = Vec::new();
    let mut chars = text.char_indices().peekable();
    let skip_spaces = |chars: &mut std::iter::Peekable<std::str::CharIndices>| {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    };
    loop {
        skip_spaces(&mut chars);
        let Some(&(start, _)) = chars.peek() else {
            return Some(pairs);
        };
        let mut key = String::new();
        while let Some((_, c)) = chars.next_if(|(_, c)| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        skip_spaces(&mut chars);
        chars.next_if(|(_, c)| *c == '=')?;
        skip_spaces(&mut chars);
        let quoted = chars.next_if(|(_, c)| *c == '\'').is_some();
        let mut value = String::new();
        let end = loop {
            match chars.next() {
                None if quoted => return None,
                None => break text.len(),
                Some((_, '\\')) => value.push(chars.next()?.1),
                Some((i, '\'')) if quoted => break i + 1,
                Some((i, c)) if c.is_whitespace() && !quoted => break i,
                Some((_, c)) => value.push(c),
            }
        };
        pairs.push((key, value, start..end));
    }
}

/// A verifier that trusts `roots`.
fn trusting(
    roots: &Roots,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, SyncError> {
    let file = match roots {
        Roots::System => {
            let verifier =
                rustls_platform_verifier::Verifier::new(Arc::clone(provider)).map_err(|error| {
                    SyncError::invalid("db", format!("the platform's CAs: {error}"))
                })?;
            return Ok(Arc::new(verifier));
        }
        Roots::File(file) => file,
    };
    let unreadable = |why: String| {
        SyncError::invalid(
            "db",
            format!(
                "sslrootcert={}: {why}; give the PEM file of the CA that signed the server's \
                 certificate",
                file.display()
            ),
        )
    };
    let mut store = RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(file).map_err(|e| unreadable(e.to_string()))? {
        let certificate = certificate.map_err(|e| unreadable(e.to_string()))?;
        store
            .add(certificate)
            .map_err(|e| unreadable(e.to_string()))?;
    }
    if store.is_empty() {
        return Err(unreadable("it holds no certificate".to_owned()));
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(store), Arc::clone(provider))
        .build()
        .map(|verifier| verifier as Arc<dyn ServerCertVerifier>)
        .map_err(|error| unreadable(error.to_string()))
}

/// `verify-ca`: the certificate must be signed by a root CA, whatever host it names. The
/// chain is checked before the name, so a name error means the chain was good.
#[derive(Debug)]
struct CaOnly(Arc<dyn ServerCertVerifier>);

impl ServerCertVerifier for CaOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match (self.0).verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require` with no root CA, as libpq: encrypted, but any certificate is taken
/// (the handshake's signatures are still checked against it).
#[derive(Debug)]
struct Unchecked(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_options_leave_a_url_and_the_rest_to_tokio_postgres() {
        let (rest, tls) = Tls::take(
            "postgres://me@db.example.com/ads?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca.pem",
        )
        .unwrap();
        assert_eq!(rest, "postgres://me@db.example.com/ads?application_name=x");
        assert_eq!(tls.mode, SslMode::VerifyFull);
        assert_eq!(tls.root_cert, Some(Roots::File("/etc/ca.pem".into())));

        let (rest, tls) = Tls::take("postgres://me@db/ads?sslmode=require").unwrap();
        assert_eq!(
            (rest.as_str(), tls.mode),
            ("postgres://me@db/ads", SslMode::Require)
        );

        let (rest, tls) = Tls::take("postgres://me@db/ads").unwrap();
        assert_eq!(
            (rest.as_str(), tls.mode),
            ("postgres://me@db/ads", SslMode::Prefer)
        );
    }

    #[test]
    fn tls_options_leave_key_values_and_their_quoting() {
        let (rest, tls) = Tls::take(
            r"host=db port=5432 sslmode = verify-ca password='it\'s' sslrootcert='/a b/ca.pem' dbname=ads",
        )
        .unwrap();
        assert_eq!(rest, r"host=db port=5432 password='it\'s' dbname=ads");
        assert_eq!(tls.mode, SslMode::VerifyCa);
        assert_eq!(tls.root_cert, Some(Roots::File("/a b/ca.pem".into())));
        let (_, tls) = Tls::take(r"host=db sslrootcert=system password='a\'b'").unwrap();
        assert_eq!(tls.root_cert, Some(Roots::System));
    }

    #[test]
    fn an_unknown_sslmode_names_the_known_ones() {
        let error = Tls::take("postgres://db/ads?sslmode=allow")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("sslmode=allow") && error.contains("verify-full"),
            "{error}"
        );
    }
}
