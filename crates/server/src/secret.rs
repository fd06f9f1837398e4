//! Random passwords for nodes that would otherwise be open to the network.

/// Long enough that guessing over HTTP is hopeless (about 143 bits).
const PASSWORD_LEN: usize = 24;

/// Letters and digits only, so the password survives copy and paste,
/// shells and URLs without quoting.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct SecretError(String);

/// A fresh password from the operating system's random source.
pub fn password() -> Result<String, SecretError> {
    let mut password = String::with_capacity(PASSWORD_LEN);
    let mut bytes = [0u8; 64];
    while password.len() < PASSWORD_LEN {
        getrandom::fill(&mut bytes).map_err(|e| SecretError(e.to_string()))?;
        // Rejection sampling: 248 is the largest multiple of 62 below 256,
        // so every letter is equally likely.
        let usable = bytes.iter().filter(|&&b| usize::from(b) < 248);
        for &byte in usable.take(PASSWORD_LEN - password.len()) {
            password.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
        }
    }
    Ok(password)
}

/// Compares without stopping at the first difference, so response time
/// says nothing about how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_alphanumeric_and_different() {
        let first = password().unwrap();
        let second = password().unwrap();
        assert_eq!(first.len(), PASSWORD_LEN);
        assert!(first.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(first, second);
    }

    #[test]
    fn comparison_needs_equal_length_and_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
