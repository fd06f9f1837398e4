//! The read buffer each HTTP/1.1 connection keeps for its whole life.

/// Room for a typical response head and a good slice of body per read,
/// small enough that thousands of pooled connections stay cheap.
const INITIAL_CAPACITY: usize = 8 * 1024;

/// Bytes read from the connection and not yet consumed.
///
/// Allocated once per connection and reused by every exchange on it; it
/// grows only when a response head does not fit.
pub(crate) struct ReadBuf {
    bytes: Vec<u8>,
    start: usize,
    end: usize,
}

impl ReadBuf {
    pub fn new() -> ReadBuf {
        ReadBuf {
            bytes: vec![0; INITIAL_CAPACITY],
            start: 0,
            end: 0,
        }
    }

    /// What has been read and not consumed yet.
    pub fn filled(&self) -> &[u8] {
        &self.bytes[self.start..self.end]
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn consume(&mut self, len: usize) {
        self.start = (self.start + len).min(self.end);
        if self.start == self.end {
            self.clear();
        }
    }

    pub fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Free space to read into, after moving unconsumed bytes to the front
    /// and growing up to `limit` bytes if they fill the buffer. `None` when
    /// `limit` unconsumed bytes are already held.
    pub fn spare(&mut self, limit: usize) -> Option<&mut [u8]> {
        if self.end == self.bytes.len() && self.start > 0 {
            self.bytes.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.bytes.len() {
            if self.end >= limit {
                return None;
            }
            let grown = (self.bytes.len() * 2).min(limit);
            self.bytes.resize(grown, 0);
        }
        Some(&mut self.bytes[self.end..])
    }

    /// Marks `len` bytes of the last [`ReadBuf::spare`] as read.
    pub fn commit(&mut self, len: usize) {
        self.end = (self.end + len).min(self.bytes.len());
    }

    /// Room for a non-blocking peek into an idle connection; empty is fine.
    pub fn idle_spare(&mut self) -> &mut [u8] {
        self.clear();
        &mut self.bytes[..]
    }

    pub fn capacity(&self) -> usize {
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(buf: &mut ReadBuf, limit: usize, data: &[u8]) -> bool {
        let Some(spare) = buf.spare(limit) else {
            return false;
        };
        let len = data.len().min(spare.len());
        spare[..len].copy_from_slice(&data[..len]);
        buf.commit(len);
        true
    }

    #[test]
    fn consumed_bytes_make_room_before_the_buffer_grows() {
        let mut buf = ReadBuf::new();
        let capacity = buf.capacity();
        assert!(put(&mut buf, capacity, &vec![b'a'; capacity]));
        buf.consume(capacity - 2);
        assert!(put(&mut buf, capacity, b"bc"));
        assert_eq!(buf.filled(), b"aabc");
        assert_eq!(buf.capacity(), capacity);
    }

    #[test]
    fn growth_stops_at_the_limit() {
        let mut buf = ReadBuf::new();
        let limit = buf.capacity() * 3;
        while put(&mut buf, limit, &[b'h'; 1000]) {}
        assert_eq!(buf.filled().len(), limit);
        assert!(buf.spare(limit).is_none());
        buf.consume(limit);
        assert!(buf.is_empty());
    }
}
