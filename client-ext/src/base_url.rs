//! The base URL of the API, checked and normalised once, at construction.

use std::net::IpAddr;

use url::{Host, Url};

use crate::Error;

/// A checked base URL: `http` or `https`, no credentials, query or fragment, no trailing slash
/// (the generated code appends `/stats.json` and the like), and plain `http` only on loopback,
/// so the API token never crosses a network unencrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    text: String,
    loopback: bool,
}

impl BaseUrl {
    /// Checks and normalises `input`, e.g. `https://api3.adsterratools.com/advertiser/`.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let url = Url::parse(input.trim()).map_err(|e| {
            Error::invalid(
                "base_url",
                format!("{e}; give a full URL such as {}", crate::DEFAULT_BASE_URL),
            )
        })?;
        let loopback = match url.host() {
            Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(Error::invalid(
                    "base_url",
                    "plain http would send the API token unencrypted; use https (http is allowed only for loopback addresses such as a local sandbox)",
                ));
            }
            other => {
                return Err(Error::invalid(
                    "base_url",
                    format!("scheme {other:?} is not supported; use https"),
                ));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid(
                "base_url",
                "it contains credentials; remove them (the API token goes in the X-API-Key header)",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::invalid(
                "base_url",
                "it has a query or fragment; give only scheme, host, port and path",
            ));
        }
        let text = url.as_str().trim_end_matches('/').to_owned();
        Ok(Self { text, loopback })
    }

    /// The normalised URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the host is a loopback address (`localhost`, `127.0.0.0/8`, `::1`).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_trailing_slashes_and_case() {
        let url = BaseUrl::parse("HTTPS://API3.adsterratools.com/advertiser//").unwrap();
        assert_eq!(url.as_str(), "https://api3.adsterratools.com/advertiser");
        assert!(!url.is_loopback());
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1/x/",
            "http://[::1]:9",
        ] {
            assert!(BaseUrl::parse(ok).unwrap().is_loopback(), "{ok}");
        }
        let error = BaseUrl::parse("http://api3.adsterratools.com/advertiser")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("invalid base_url: plain http"), "{error}");
        assert!(BaseUrl::parse("http://10.0.0.1/advertiser").is_err());
    }

    #[test]
    fn rejects_what_would_leak_or_confuse_naming_the_field() {
        for bad in [
            "api3.adsterratools.com",
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://example.com/advertiser?token=x",
            "https://example.com/#x",
        ] {
            let error = BaseUrl::parse(bad).unwrap_err().to_string();
            assert!(error.starts_with("invalid base_url: "), "{bad}: {error}");
        }
    }
}
