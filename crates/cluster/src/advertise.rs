//! The address other nodes should send to, when the node binds every interface
//! (`BIND=0.0.0.0`, as in a container) and so cannot simply name its bind address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use crate::config::ClusterConfig;

/// Picks the address to put in this node's identity, or `None` if nothing fits.
///
/// An explicit address wins, then a specific bind address. Otherwise the source
/// address the kernel would use toward a seed: on a container network that is the
/// node's own address there, whichever node the seed is (itself included).
pub(crate) async fn advertise_ip(config: &ClusterConfig, seeds: &[SocketAddr]) -> Option<IpAddr> {
    if let Some(ip) = config.advertise_ip {
        return Some(ip);
    }
    if !config.bind.is_unspecified() {
        return Some(config.bind);
    }
    let toward_seed = seeds
        .iter()
        .filter(|seed| seed.is_ipv4() == config.bind.is_ipv4())
        .find_map(|seed| route_source(*seed));
    match toward_seed {
        Some(ip) => Some(ip),
        None => host_address().await,
    }
}

/// The local address of a route toward `target`. Connecting a UDP socket only
/// consults the routing table; nothing is sent.
pub(crate) fn route_source(target: SocketAddr) -> Option<IpAddr> {
    let any: IpAddr = match target {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = UdpSocket::bind((any, 0)).ok()?;
    socket.connect(target).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

/// The first non-loopback address the host name resolves to.
async fn host_address() -> Option<IpAddr> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let mut found = tokio::net::lookup_host((name.trim(), 0)).await.ok()?;
    let ip = found.find(|addr| !addr.ip().is_loopback())?.ip();
    Some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_toward_loopback_comes_from_loopback() {
        let source = route_source("127.0.0.1:9".parse().unwrap()).unwrap();
        assert!(source.is_loopback(), "{source}");
    }

    #[tokio::test]
    async fn specific_bind_is_advertised_as_is() {
        let config = ClusterConfig::new(
            "127.0.0.3".parse().unwrap(),
            "127.0.0.3:4000".parse().unwrap(),
        );
        assert_eq!(advertise_ip(&config, &[]).await, Some(config.bind));
    }

    #[tokio::test]
    async fn explicit_address_wins() {
        let config = ClusterConfig {
            advertise_ip: Some("127.0.0.9".parse().unwrap()),
            ..ClusterConfig::default()
        };
        assert_eq!(advertise_ip(&config, &[]).await, config.advertise_ip);
    }

    #[tokio::test]
    async fn every_interface_uses_the_route_toward_a_seed() {
        let config = ClusterConfig::new(
            Ipv4Addr::UNSPECIFIED.into(),
            "0.0.0.0:4000".parse().unwrap(),
        );
        let seed = "127.0.0.1:7946".parse().unwrap();
        let ip = advertise_ip(&config, &[seed]).await.unwrap();
        assert!(ip.is_loopback(), "{ip}");
    }
}
