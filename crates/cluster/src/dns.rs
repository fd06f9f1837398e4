//! Name resolution for discovery: the system resolver, or one A/AAAA query pair
//! over UDP to a configured name server (`DNS_SERVER`).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use simple_dns::rdata::RData;
use simple_dns::{Name, Packet, PacketFlag, Question, CLASS, RCODE, TYPE};
use tokio::net::UdpSocket;
use tokio::time::timeout;

/// Discovery retries every few seconds, so a lost query need not wait long.
const QUERY_TIMEOUT: Duration = Duration::from_secs(2);

/// Largest plain-DNS reply over UDP without EDNS.
const MAX_REPLY_LEN: usize = 512;

/// A lookup that failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DnsError {
    #[error("resolving {name}: {source}")]
    Io { name: String, source: io::Error },
    #[error("no reply from {server} for {name} within {QUERY_TIMEOUT:?}")]
    Timeout { server: SocketAddr, name: String },
    #[error("resolving {name} timed out after {QUERY_TIMEOUT:?}")]
    SystemTimeout { name: String },
    #[error("{name} cannot be put in a DNS query: {reason}")]
    BadName { name: String, reason: String },
    #[error("name server answered {rcode} for {name}")]
    Server { name: String, rcode: String },
}

/// Where names are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolver {
    System,
    Server(SocketAddr),
}

impl Resolver {
    pub fn new(server: Option<SocketAddr>) -> Self {
        server.map_or(Self::System, Self::Server)
    }

    /// All A and AAAA addresses of `name`, each paired with `port`.
    pub async fn lookup(&self, name: &str, port: u16) -> Result<Vec<SocketAddr>, DnsError> {
        let ips = match *self {
            Self::System => lookup_system(name, port).await?,
            Self::Server(server) => lookup_at(server, name).await?,
        };
        Ok(ips
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect())
    }
}

async fn lookup_system(name: &str, port: u16) -> Result<Vec<IpAddr>, DnsError> {
    let found = timeout(QUERY_TIMEOUT, tokio::net::lookup_host((name, port)))
        .await
        .map_err(|_| DnsError::SystemTimeout {
            name: name.to_owned(),
        })?
        .map_err(|source| DnsError::Io {
            name: name.to_owned(),
            source,
        })?;
    Ok(found.map(|addr| addr.ip()).collect())
}

/// Asks `server` for both record types at once; one failing is fine if the other answers.
async fn lookup_at(server: SocketAddr, name: &str) -> Result<Vec<IpAddr>, DnsError> {
    let (v4, v6) = tokio::join!(
        query(server, name, TYPE::A),
        query(server, name, TYPE::AAAA)
    );
    match (v4, v6) {
        (Err(error), Err(_)) => Err(error),
        (v4, v6) => Ok(v4
            .unwrap_or_default()
            .into_iter()
            .chain(v6.unwrap_or_default())
            .collect()),
    }
}

async fn query(server: SocketAddr, name: &str, record: TYPE) -> Result<Vec<IpAddr>, DnsError> {
    let io_error = |source| DnsError::Io {
        name: name.to_owned(),
        source,
    };
    let id = fastrand::u16(..);
    let request = encode_query(id, name, record)?;

    let socket = UdpSocket::bind(client_addr(server))
        .await
        .map_err(io_error)?;
    // Connecting makes the kernel drop datagrams from anyone but the server.
    socket.connect(server).await.map_err(io_error)?;
    socket.send(&request).await.map_err(io_error)?;

    let mut buf = [0u8; MAX_REPLY_LEN];
    let wait = async {
        loop {
            let len = socket.recv(&mut buf).await?;
            // Stale or forged replies carry another id (or do not parse); keep waiting.
            if let Some(found) = decode_reply(id, name, &buf[..len]) {
                return Ok(found);
            }
        }
    };
    timeout(QUERY_TIMEOUT, wait)
        .await
        .map_err(|_| DnsError::Timeout {
            server,
            name: name.to_owned(),
        })?
        .map_err(io_error)?
}

/// A loopback server is asked from loopback; any other from every interface.
fn client_addr(server: SocketAddr) -> SocketAddr {
    let ip = match server.ip() {
        ip if ip.is_loopback() => ip,
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    SocketAddr::new(ip, 0)
}

pub(crate) fn encode_query(id: u16, name: &str, record: TYPE) -> Result<Vec<u8>, DnsError> {
    let bad_name = |error: simple_dns::SimpleDnsError| DnsError::BadName {
        name: name.to_owned(),
        reason: error.to_string(),
    };
    let mut packet = Packet::new_query(id);
    packet.set_flags(PacketFlag::RECURSION_DESIRED);
    let qname = Name::new(name).map_err(bad_name)?;
    packet
        .questions
        .push(Question::new(qname, record.into(), CLASS::IN.into(), false));
    packet.build_bytes_vec().map_err(bad_name)
}

/// The addresses in a reply to query `id`; `None` if the bytes are not that reply.
pub(crate) fn decode_reply(
    id: u16,
    name: &str,
    bytes: &[u8],
) -> Option<Result<Vec<IpAddr>, DnsError>> {
    let packet = Packet::parse(bytes).ok()?;
    if packet.id() != id || !packet.has_flags(PacketFlag::RESPONSE) {
        return None;
    }
    let found = match packet.rcode() {
        RCODE::NoError => addresses(&packet),
        // The name has no records (yet): an empty cluster, not a failure.
        RCODE::NameError => Vec::new(),
        rcode => {
            return Some(Err(DnsError::Server {
                name: name.to_owned(),
                rcode: format!("{rcode:?}"),
            }))
        }
    };
    Some(Ok(found))
}

fn addresses(packet: &Packet<'_>) -> Vec<IpAddr> {
    packet
        .answers
        .iter()
        .filter_map(|record| match &record.rdata {
            RData::A(a) => Some(IpAddr::V4(Ipv4Addr::from(a.address))),
            RData::AAAA(aaaa) => Some(IpAddr::V6(Ipv6Addr::from(aaaa.address))),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use simple_dns::rdata::{A, AAAA};
    use simple_dns::ResourceRecord;

    use super::*;

    fn reply(id: u16, rcode: RCODE, records: Vec<RData<'static>>) -> Vec<u8> {
        let mut packet = Packet::new_reply(id);
        *packet.rcode_mut() = rcode;
        for rdata in records {
            let name = Name::new_unchecked("nodes.test");
            packet
                .answers
                .push(ResourceRecord::new(name, CLASS::IN, 5, rdata));
        }
        packet.build_bytes_vec().unwrap()
    }

    #[test]
    fn query_asks_for_the_name_and_type() {
        let bytes = encode_query(42, "nodes.test", TYPE::AAAA).unwrap();
        let packet = Packet::parse(&bytes).unwrap();
        assert_eq!(packet.id(), 42);
        assert_eq!(packet.questions[0].qname.to_string(), "nodes.test");
        assert_eq!(packet.questions[0].qtype, TYPE::AAAA.into());
    }

    #[test]
    fn reply_yields_a_and_aaaa_addresses() {
        let records = vec![
            RData::A(A {
                address: u32::from(Ipv4Addr::new(127, 0, 0, 2)),
            }),
            RData::AAAA(AAAA {
                address: u128::from(Ipv6Addr::LOCALHOST),
            }),
        ];
        let found = decode_reply(7, "nodes.test", &reply(7, RCODE::NoError, records))
            .unwrap()
            .unwrap();
        assert_eq!(
            found,
            vec![
                IpAddr::from([127, 0, 0, 2]),
                IpAddr::V6(Ipv6Addr::LOCALHOST)
            ]
        );
    }

    #[test]
    fn reply_to_another_query_is_ignored() {
        assert!(decode_reply(8, "nodes.test", &reply(7, RCODE::NoError, vec![])).is_none());
        assert!(decode_reply(7, "nodes.test", &[0xde, 0xad]).is_none());
        let query = encode_query(7, "nodes.test", TYPE::A).unwrap();
        assert!(decode_reply(7, "nodes.test", &query).is_none());
    }

    #[test]
    fn unknown_name_is_empty_and_server_failure_is_an_error() {
        let nx = decode_reply(7, "n", &reply(7, RCODE::NameError, vec![])).unwrap();
        assert!(nx.unwrap().is_empty());
        let fail = decode_reply(7, "n", &reply(7, RCODE::ServerFailure, vec![])).unwrap();
        assert!(fail.unwrap_err().to_string().contains("ServerFailure"));
    }

    #[test]
    fn garbage_replies_never_panic() {
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..2_000 {
            let garbage: Vec<u8> = (0..rng.usize(0..80)).map(|_| rng.u8(..)).collect();
            let _ = decode_reply(rng.u16(..), "n", &garbage);
        }
    }

    #[tokio::test]
    async fn silent_server_times_out() {
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let server = silent.local_addr().unwrap();
        let error = Resolver::Server(server)
            .lookup("nodes.test", 1)
            .await
            .unwrap_err();
        assert!(matches!(error, DnsError::Timeout { .. }), "{error}");
    }
}
