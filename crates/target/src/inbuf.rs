//! The per-connection read buffer, reused for every request on that connection.

use tokio::io::{AsyncRead, AsyncReadExt};

/// Starting size: room for a few pipelined requests of a typical load tool.
const INITIAL_CAPACITY: usize = 8 * 1024;

/// A request head may not exceed this; a larger one is answered 431.
pub(crate) const MAX_HEAD: usize = 64 * 1024;

/// Bytes read from the peer and not yet consumed: `data[start..end]`.
pub(crate) struct InBuf {
    data: Vec<u8>,
    start: usize,
    end: usize,
}

impl InBuf {
    pub(crate) fn new() -> InBuf {
        InBuf {
            data: vec![0; INITIAL_CAPACITY],
            start: 0,
            end: 0,
        }
    }

    /// Unconsumed bytes.
    pub(crate) fn filled(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    /// Marks `count` bytes at the front as handled.
    pub(crate) fn consume(&mut self, count: usize) {
        self.start = (self.start + count).min(self.end);
        if self.start == self.end {
            // Rewind so later reads land at the front and never need a copy.
            self.start = 0;
            self.end = 0;
        }
    }

    /// Drops everything buffered, for callers that discard input.
    pub(crate) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Reads once from `io`, appending; returns the byte count (0 at end of stream).
    pub(crate) async fn read_from<R: AsyncRead + Unpin>(
        &mut self,
        io: &mut R,
    ) -> std::io::Result<usize> {
        self.make_room();
        let count = io.read(&mut self.data[self.end..]).await?;
        self.end += count;
        Ok(count)
    }

    fn make_room(&mut self) {
        if self.end < self.data.len() {
            return;
        }
        if self.start > 0 {
            self.data.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        } else {
            // Full of one unfinished head: grow, up to one byte past the head limit so
            // the parser can tell "too large" from "not yet complete".
            let grown = (self.data.len() * 2)
                .min(MAX_HEAD + 1)
                .max(self.data.len() + 1);
            self.data.resize(grown, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_unconsumed_bytes_across_reads() {
        let mut buf = InBuf::new();
        let mut input: &[u8] = b"hello world";
        buf.read_from(&mut input).await.unwrap();
        buf.consume(6);
        assert_eq!(buf.filled(), b"world");
        buf.consume(5);
        assert!(buf.filled().is_empty());
    }

    #[tokio::test]
    async fn grows_when_one_head_fills_it() {
        let big = vec![b'a'; INITIAL_CAPACITY * 3];
        let mut input: &[u8] = &big;
        let mut buf = InBuf::new();
        while buf.read_from(&mut input).await.unwrap() > 0 {}
        assert_eq!(buf.filled().len(), big.len());
    }
}
