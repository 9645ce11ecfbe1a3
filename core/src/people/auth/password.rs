//! Passwords: argon2id hashes (OWASP's minimum parameters, argon2's defaults),
//! computed on a blocking thread so logins never stall the async runtime.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest password a person may choose.
pub const MIN_LENGTH: usize = 8;

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error(
        "mật khẩu phải có ít nhất {MIN_LENGTH} ký tự / a password needs at least {MIN_LENGTH} characters"
    )]
    TooShort,
    #[error("mật khẩu không được trùng tên đăng nhập / the password must not be the username")]
    SameAsUsername,
    #[error("mật khẩu mới phải khác mật khẩu cũ / the new password must differ from the old one")]
    SameAsOld,
}

/// Checks a password a person chose.
pub fn check_strength(username: &str, password: &str) -> Result<(), WeakPassword> {
    if password.chars().count() < MIN_LENGTH {
        return Err(WeakPassword::TooShort);
    }
    if password.trim().eq_ignore_ascii_case(username.trim()) {
        return Err(WeakPassword::SameAsUsername);
    }
    Ok(())
}

/// Hashes a password to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 with a random salt").to_string()
}

/// Argon2 verifications done by this process: lets tests (and operators)
/// see that a login for an unknown account costs the same work as a real one.
static VERIFICATIONS: AtomicU64 = AtomicU64::new(0);

/// How many verifications this process has run.
pub fn verifications() -> u64 {
    VERIFICATIONS.load(Ordering::Relaxed)
}

/// Whether `password` matches `stored`; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    VERIFICATIONS.fetch_add(1, Ordering::Relaxed);
    PasswordHash::new(stored)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A real hash to verify against when the username is unknown, so the
/// answer takes as long as for a real account.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash(&super::token::random_token()));

/// Spends the time of one verification, for unknown or locked accounts.
pub fn dummy_verify(password: &str) {
    let _ = verify(password, &DUMMY_HASH);
}

/// Hashes running at once: one per core. A login wave then queues here instead of starving every other
/// request of CPU (and the database pool of the threads that would release its connections).
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// [`hash`] on a blocking thread.
pub async fn hash_off_runtime(password: String) -> String {
    let _turn = HASHING.acquire().await.expect("the semaphore is never closed");
    tokio::task::spawn_blocking(move || hash(&password)).await.expect("hashing thread")
}

/// [`verify`] on a blocking thread; `None` as `stored` runs [`dummy_verify`] and answers false. So does an
/// empty `stored`: an account that signs on through a provider has no local password, and trying one on it
/// must take as long as a wrong password, or the timing would tell such accounts apart.
pub async fn verify_off_runtime(password: String, stored: Option<String>) -> bool {
    let _turn = HASHING.acquire().await.expect("the semaphore is never closed");
    tokio::task::spawn_blocking(move || match stored.filter(|s| !s.is_empty()) {
        Some(stored) => verify(&password, &stored),
        None => {
            dummy_verify(&password);
            false
        }
    })
    .await
    .expect("verifying thread")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("mật khẩu dài");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, hash("mật khẩu dài"), "salted");
        assert!(verify("mật khẩu dài", &a));
        assert!(!verify("mat khau dai", &a));
        assert!(!verify("x", "not a hash"));
        assert!(!verify("", ""), "no local password: nothing verifies");
        assert!(!verify("x", ""));
    }

    #[tokio::test]
    async fn an_empty_hash_costs_a_verification_and_never_matches() {
        let before = verifications();
        assert!(!verify_off_runtime(String::new(), Some(String::new())).await);
        assert!(!verify_off_runtime("mật khẩu".into(), Some(String::new())).await);
        assert!(verifications() >= before + 2, "each runs the dummy verification");
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert_eq!(check_strength("lan", "ngan"), Err(WeakPassword::TooShort));
        assert_eq!(check_strength("nguyenvana", "NguyenVanA"), Err(WeakPassword::SameAsUsername));
        assert_eq!(check_strength("lan", "đủ dài rồi"), Ok(()));
    }
}
