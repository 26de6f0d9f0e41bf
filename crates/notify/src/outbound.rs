//! The one guard for every URL a customer or an integrator can make the server call (webhook
//! endpoints now, push endpoints too): https only, and never an address inside the network —
//! loopback, private, link-local (which holds the cloud metadata service), unique-local, shared
//! (CGNAT), multicast or unspecified. It checks a URL when it is registered, and again at every
//! delivery after resolving the name, and the caller then connects to exactly the addresses it
//! checked, so a name that later resolves elsewhere (DNS rebinding) gains nothing. Development
//! may allow plain-http loopback targets (local test receivers); nothing else is ever allowed.

use std::net::{IpAddr, SocketAddr};

use url::Url;

/// Why a target was refused (one vague reason outward: callers log "unreachable").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not `https://` (or `http://` to loopback in development).
    #[error("must be https://")]
    Scheme,
    /// No host, or one that does not resolve.
    #[error("the host cannot be reached")]
    Unresolvable,
    /// An address inside the network.
    #[error("the address is not public")]
    NotPublic,
}

/// Which targets may be called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboundGuard {
    allow_loopback: bool,
}

impl OutboundGuard {
    /// Public https targets only (production).
    pub fn public_only() -> Self {
        Self {
            allow_loopback: false,
        }
    }

    /// Public https targets, plus http or https to loopback (development and tests).
    pub fn allowing_loopback() -> Self {
        Self {
            allow_loopback: true,
        }
    }

    fn address_allowed(self, ip: IpAddr) -> bool {
        if ip.is_loopback() {
            return self.allow_loopback;
        }
        public(ip)
    }

    /// Checks a URL as registered: its scheme, and its host if that is an address.
    pub fn check(self, url: &Url) -> Result<(), Refused> {
        let loopback_host = match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => return Err(Refused::Unresolvable),
        };
        match url.scheme() {
            "https" => {}
            "http" if self.allow_loopback && loopback_host => {}
            _ => return Err(Refused::Scheme),
        }
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        match literal {
            Some(ip) if !self.address_allowed(ip) => Err(Refused::NotPublic),
            _ if loopback_host && !self.allow_loopback => Err(Refused::NotPublic),
            _ => Ok(()),
        }
    }

    /// Checks `url` and resolves its host; every address must be allowed. Connect to exactly
    /// these (see [`crate::WebhookClient::send`]).
    pub async fn resolve(self, url: &Url) -> Result<Vec<SocketAddr>, Refused> {
        self.check(url)?;
        let host = url.host_str().ok_or(Refused::Unresolvable)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = url.port_or_known_default().ok_or(Refused::Unresolvable)?;
        let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| Refused::Unresolvable)?
            .collect();
        if addresses.is_empty() {
            return Err(Refused::Unresolvable);
        }
        if addresses.iter().all(|a| self.address_allowed(a.ip())) {
            Ok(addresses)
        } else {
            Err(Refused::NotPublic)
        }
    }
}

/// Whether `ip` is a public unicast address.
fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link local fe80::/10
                || first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        s.parse().unwrap()
    }

    #[test]
    fn inside_addresses_are_refused_everywhere() {
        for guard in [
            OutboundGuard::public_only(),
            OutboundGuard::allowing_loopback(),
        ] {
            for target in [
                "https://10.0.0.1/",
                "https://172.16.5.4/hook",
                "https://192.168.1.1/",
                "https://169.254.169.254/latest/meta-data/",
                "https://100.64.0.1/",
                "https://0.0.0.0/",
                "https://[fd00::1]/",
                "https://[fe80::1]/",
                "https://[::ffff:10.0.0.1]/",
            ] {
                assert_eq!(
                    guard.check(&url(target)),
                    Err(Refused::NotPublic),
                    "{target}"
                );
            }
            assert_eq!(
                guard.check(&url("ftp://example.org/")),
                Err(Refused::Scheme)
            );
            assert_eq!(
                guard.check(&url("http://example.org/")),
                Err(Refused::Scheme)
            );
            assert_eq!(guard.check(&url("https://hooks.example.org/x")), Ok(()));
            assert_eq!(guard.check(&url("https://93.184.216.34/")), Ok(()));
        }
    }

    #[test]
    fn loopback_only_in_development() {
        let production = OutboundGuard::public_only();
        for target in [
            "http://127.0.0.1:5432/",
            "https://[::1]/",
            "https://localhost/",
        ] {
            assert!(production.check(&url(target)).is_err(), "{target}");
        }
        let development = OutboundGuard::allowing_loopback();
        assert_eq!(
            development.check(&url("http://127.0.0.1:8080/hook")),
            Ok(())
        );
        assert_eq!(
            development.check(&url("http://localhost:8080/hook")),
            Ok(())
        );
        assert_eq!(
            development.check(&url("http://10.0.0.1/")),
            Err(Refused::Scheme)
        );
    }

    #[tokio::test]
    async fn names_are_checked_after_resolution() {
        // `localhost` resolves to loopback on every machine: refused in production even though
        // the name itself is not an address (the same path a rebinding name takes).
        let production = OutboundGuard::public_only();
        assert!(
            production
                .resolve(&url("https://localhost:9/"))
                .await
                .is_err()
        );
        let development = OutboundGuard::allowing_loopback();
        let addresses = development
            .resolve(&url("http://localhost:9/"))
            .await
            .unwrap();
        assert!(
            addresses
                .iter()
                .all(|a| a.ip().is_loopback() && a.port() == 9)
        );
    }
}
