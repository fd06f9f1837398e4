//! Rate-limited reporting of datagrams that failed the cookie check.
//!
//! A misconfigured node announces every few seconds and a hostile sender can flood
//! us, so one warning per period says who and how many; the rest go to debug.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::Instant;
use tracing::{debug, warn};

use crate::seal::OpenError;

/// At most one warning per this period.
const WARN_EVERY: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
pub(crate) struct RefusalLog {
    last_warned: Option<Instant>,
    suppressed: u64,
}

impl RefusalLog {
    /// Reports a refused datagram; returns whether it was logged at warn level.
    pub fn refused(&mut self, peer: SocketAddr, reason: &OpenError) -> bool {
        let now = Instant::now();
        let quiet = self
            .last_warned
            .is_some_and(|last| now.duration_since(last) < WARN_EVERY);
        if quiet {
            self.suppressed += 1;
            debug!(%peer, %reason, "refused datagram");
            return false;
        }

        warn!(
            %peer,
            %reason,
            suppressed = self.suppressed,
            "refused datagram that failed the cookie check"
        );
        self.last_warned = Some(now);
        self.suppressed = 0;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn warns_once_per_period() {
        let mut log = RefusalLog::default();
        let peer: SocketAddr = "127.0.0.9:7946".parse().unwrap();
        assert!(log.refused(peer, &OpenError::BadTag));
        assert!(!log.refused(peer, &OpenError::BadTag));
        assert!(!log.refused(peer, &OpenError::TooShort(3)));
        assert_eq!(log.suppressed, 2);

        tokio::time::advance(WARN_EVERY).await;
        assert!(log.refused(peer, &OpenError::BadTag));
        assert_eq!(log.suppressed, 0);
    }
}
