//! HTTP/1.1 spoken directly over the socket: the request is written as
//! bytes prepared once, and the response is parsed in place and drained.

mod body;
mod buffer;
mod chunked;
mod connection;
mod error;
mod head;
mod transport;

pub(crate) use connection::{Connection, Exchanged};
pub(crate) use error::ProtocolError;
pub(crate) use transport::Transport;

/// Largest response head accepted. Real heads are a few hundred bytes;
/// this leaves room for big cookies while bounding memory per connection.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
