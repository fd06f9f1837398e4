//! Ways a response can fail to be HTTP/1.1 we understand.

/// A response we cannot read; counted as
/// [`ErrorKind::Protocol`](onslaught_metrics::ErrorKind::Protocol).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProtocolError {
    #[error("response head is not valid http/1.x")]
    Head(#[source] httparse::Error),
    #[error("response head is larger than {limit} bytes")]
    HeadTooLarge { limit: usize },
    #[error("response head has more than {limit} header lines")]
    TooManyHeaders { limit: usize },
    #[error("content-length is not a single non-negative number")]
    ContentLength,
    #[error("server switched protocols though no upgrade was asked for")]
    UnexpectedUpgrade,
    #[error("chunked body is malformed: {0}")]
    Chunk(&'static str),
}
