//! Random secrets (session tokens, CSRF tokens, one-time passwords) and the
//! hashes stored in their place.

use sha2::{Digest, Sha256};

/// 256 random bits, hex-encoded (64 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    hex(&bytes)
}

/// SHA-256 of a token, hex-encoded: what the database keeps, so a leaked table opens no session.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A one-time password a person can read out and type: 12 letters and digits
/// without look-alikes (no 0/o, 1/l/i), in groups of four.
pub fn one_time_password() -> String {
    readable_code(b"abcdefghjkmnpqrstuvwxyz23456789", 12)
}

/// A certificate's verification code: 16 characters without look-alikes in groups of four (about 79 random
/// bits: not guessable, short enough to type from paper), e.g. `K7QF-2MXR-9TBH-4WNC`.
pub fn verification_code() -> String {
    readable_code(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16)
}

/// `len` random characters of `alphabet` in groups of four joined by `-`.
fn readable_code(alphabet: &[u8], len: usize) -> String {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    let chars: Vec<char> = bytes.iter().map(|b| alphabet[usize::from(*b) % alphabet.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// Compares secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
        assert_eq!(hash_token(&a), hash_token(&a));
    }

    #[test]
    fn one_time_passwords_are_readable() {
        let p = one_time_password();
        assert_eq!(p.len(), 14);
        assert!(p.chars().all(|c| c == '-' || c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert!(!p.contains(['0', 'o', '1', 'l', 'i']));
        assert_ne!(p, one_time_password());
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
