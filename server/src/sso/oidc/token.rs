//! Checking the JWTs an OpenID Connect provider sends: the ID token at sign-in (Core 1.0 §3.1.3.7) and
//! the logout token of back-channel logout (Back-Channel Logout 1.0 §2.6). Both are signed with a key
//! of the provider's JWKS; both name the issuer and us as the audience. Pure functions over a key set
//! and a clock, so every rule has a test with tokens signed here.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use serde_json::{Map, Value};

/// How far the provider's clock may be from ours.
pub const CLOCK_SKEW_SECONDS: u64 = 60;
/// An ID token issued longer ago than this is not accepted for a new sign-in.
const MAX_ID_TOKEN_AGE_SECONDS: u64 = 10 * 60;
/// The event a logout token must carry.
const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// Signatures by public keys only: `none` and the HMAC family are refused.
const ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Who must have issued a token, for whom, and when it is now.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// Seconds since the epoch.
    pub now: u64,
}

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Signed with a key the key set does not have (yet): refetch the JWKS once and try again.
    #[error("signed with an unknown key `{0}`")]
    UnknownKey(String),
    #[error("{0}")]
    Invalid(String),
}

/// An ID token's claims that were checked, and all the others.
#[derive(Debug, Clone)]
pub struct IdClaims {
    pub sub: String,
    pub sid: Option<String>,
    pub claims: Map<String, Value>,
}

/// A logout token's subject and session (at least one of them), and its id for replay refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutClaims {
    pub sub: Option<String>,
    pub sid: Option<String>,
    pub jti: String,
}

#[derive(Deserialize)]
struct Common {
    iat: Option<u64>,
    /// Checked against us by jsonwebtoken; here only whether it lists several.
    aud: Option<Value>,
    azp: Option<String>,
    sub: Option<String>,
    sid: Option<String>,
    nonce: Option<String>,
}

/// Checks an ID token: signature, `iss`, `aud` (and `azp` when there are several audiences), `exp`,
/// `iat` (not in the future, not old), and the `nonce` we sent.
pub fn verify_id_token(
    token: &str,
    keys: &JwkSet,
    expected: &Expected<'_>,
    nonce: &str,
) -> Result<IdClaims, TokenError> {
    let claims = verify_signed(token, keys, expected, &["exp", "iss", "aud", "sub"])?;
    let common = common(&claims)?;
    check_issued_at(common.iat, expected, Some(MAX_ID_TOKEN_AGE_SECONDS))?;
    check_authorized_party(&common, expected)?;
    if common.nonce.as_deref() != Some(nonce) {
        return Err(TokenError::Invalid("the nonce is not the one this sign-in sent".into()));
    }
    let sub = common.sub.filter(|s| !s.is_empty()).ok_or_else(|| TokenError::Invalid("no `sub`".into()))?;
    Ok(IdClaims { sub, sid: common.sid, claims })
}

/// Checks a logout token: signature, `iss`, `aud`, `iat`, `exp` if present, the back-channel logout
/// event, `sub` or `sid`, a `jti`, and no `nonce` (so an ID token cannot be passed off as one).
pub fn verify_logout_token(
    token: &str,
    keys: &JwkSet,
    expected: &Expected<'_>,
) -> Result<LogoutClaims, TokenError> {
    let claims = verify_signed(token, keys, expected, &["iss", "aud"])?;
    let common = common(&claims)?;
    check_issued_at(common.iat, expected, None)?;
    check_authorized_party(&common, expected)?;
    if common.nonce.is_some() {
        return Err(TokenError::Invalid("a logout token must not carry a nonce".into()));
    }
    let has_event = claims
        .get("events")
        .and_then(Value::as_object)
        .is_some_and(|events| events.get(BACKCHANNEL_LOGOUT_EVENT).is_some_and(Value::is_object));
    if !has_event {
        return Err(TokenError::Invalid("no back-channel logout event".into()));
    }
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty())
        .ok_or_else(|| TokenError::Invalid("no `jti`".into()))?
        .to_string();
    let sub = common.sub.filter(|s| !s.is_empty());
    let sid = common.sid.filter(|s| !s.is_empty());
    if sub.is_none() && sid.is_none() {
        return Err(TokenError::Invalid("neither `sub` nor `sid`".into()));
    }
    Ok(LogoutClaims { sub, sid, jti })
}

/// The signature against the key the header names, `iss` and `aud` by jsonwebtoken; then `exp`, by
/// the clock in `expected` (jsonwebtoken would read the system's).
fn verify_signed(
    token: &str,
    keys: &JwkSet,
    expected: &Expected<'_>,
    required: &[&str],
) -> Result<Map<String, Value>, TokenError> {
    let invalid = |e: jsonwebtoken::errors::Error| TokenError::Invalid(e.to_string());
    let header = decode_header(token).map_err(invalid)?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(TokenError::Invalid(format!("the algorithm {:?} is not accepted", header.alg)));
    }
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid).ok_or_else(|| TokenError::UnknownKey(kid.clone()))?,
        // No `kid`: only a key set of one key leaves no doubt which key it is.
        None => match keys.keys.as_slice() {
            [only] => only,
            _ => return Err(TokenError::UnknownKey(String::new())),
        },
    };
    let key = DecodingKey::from_jwk(jwk).map_err(invalid)?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(required);
    let claims = decode::<Map<String, Value>>(token, &key, &validation).map_err(invalid)?.claims;
    match claims.get("exp") {
        None => {}
        Some(exp) => match exp.as_u64() {
            Some(exp) if exp + CLOCK_SKEW_SECONDS >= expected.now => {}
            Some(_) => return Err(TokenError::Invalid("expired (`exp`)".into())),
            None => return Err(TokenError::Invalid("`exp` is not a number".into())),
        },
    }
    Ok(claims)
}

fn common(claims: &Map<String, Value>) -> Result<Common, TokenError> {
    Common::deserialize(Value::Object(claims.clone()))
        .map_err(|e| TokenError::Invalid(format!("a claim has the wrong type: {e}")))
}

fn check_issued_at(
    iat: Option<u64>,
    expected: &Expected<'_>,
    max_age: Option<u64>,
) -> Result<(), TokenError> {
    let iat = iat.ok_or_else(|| TokenError::Invalid("no `iat`".into()))?;
    if iat > expected.now + CLOCK_SKEW_SECONDS {
        return Err(TokenError::Invalid("issued in the future (`iat`)".into()));
    }
    if let Some(max_age) = max_age
        && iat + max_age + CLOCK_SKEW_SECONDS < expected.now
    {
        return Err(TokenError::Invalid("issued too long ago (`iat`)".into()));
    }
    Ok(())
}

/// With several audiences, the token must say it was issued to us (`azp`).
fn check_authorized_party(common: &Common, expected: &Expected<'_>) -> Result<(), TokenError> {
    let several = common.aud.as_ref().and_then(Value::as_array).is_some_and(|list| list.len() > 1);
    match &common.azp {
        Some(azp) if azp != expected.client_id => {
            Err(TokenError::Invalid("issued to another client (`azp`)".into()))
        }
        None if several => Err(TokenError::Invalid("several audiences and no `azp`".into())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    use super::*;

    /// Test-only keys (Ed25519, made with `openssl genpkey -algorithm ed25519`), never used elsewhere.
    const KEY_A: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPdlEqI9YuXBUlyTfW5B70FMobWiJhTraIwsVM54y/We\n-----END PRIVATE KEY-----\n";
    const KEY_B: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIEUw+bE98AgJ4oJCXgYfCAu5/4MiQfyhyhjgSpN1+3Dh\n-----END PRIVATE KEY-----\n";
    const NOW: u64 = 1_796_300_000;
    const ISSUER: &str = "https://id.danang.gov.vn/oauth2/token";

    fn expected() -> Expected<'static> {
        Expected { issuer: ISSUER, client_id: "daotao", now: NOW }
    }

    fn key_set(pem: &str, kid: &str) -> JwkSet {
        let mut jwk =
            Jwk::from_encoding_key(&EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(), Algorithm::EdDSA)
                .unwrap();
        jwk.common.key_id = Some(kid.into());
        JwkSet { keys: vec![jwk] }
    }

    fn sign(pem: &str, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.into());
        encode(&header, claims, &EncodingKey::from_ed_pem(pem.as_bytes()).unwrap()).unwrap()
    }

    fn id_claims() -> Value {
        json!({"iss": ISSUER, "aud": "daotao", "sub": "u-1", "sid": "s-1", "exp": NOW + 300, "iat": NOW,
               "nonce": "n-1", "preferred_username": "hoa.nt"})
    }

    fn with(mut claims: Value, key: &str, value: Value) -> Value {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(key);
        } else {
            claims[key] = value;
        }
        claims
    }

    #[test]
    fn a_good_id_token_is_accepted_with_its_claims() {
        let token = sign(KEY_A, "a", &id_claims());
        let claims = verify_id_token(&token, &key_set(KEY_A, "a"), &expected(), "n-1").unwrap();
        assert_eq!(claims.sub, "u-1");
        assert_eq!(claims.sid.as_deref(), Some("s-1"));
        assert_eq!(claims.claims["preferred_username"], "hoa.nt");
    }

    #[test]
    fn every_id_token_rule_refuses_on_its_own() {
        let keys = key_set(KEY_A, "a");
        let refused = |claims: Value| verify_id_token(&sign(KEY_A, "a", &claims), &keys, &expected(), "n-1");
        let cases = [
            ("another issuer", with(id_claims(), "iss", json!("https://evil.example"))),
            ("another audience", with(id_claims(), "aud", json!("other-app"))),
            ("expired", with(id_claims(), "exp", json!(NOW - CLOCK_SKEW_SECONDS - 1))),
            ("no exp", with(id_claims(), "exp", Value::Null)),
            ("issued in the future", with(id_claims(), "iat", json!(NOW + CLOCK_SKEW_SECONDS + 5))),
            ("issued long ago", with(id_claims(), "iat", json!(NOW - 3600))),
            ("no iat", with(id_claims(), "iat", Value::Null)),
            ("another nonce", with(id_claims(), "nonce", json!("n-2"))),
            ("no nonce", with(id_claims(), "nonce", Value::Null)),
            ("several audiences, no azp", with(id_claims(), "aud", json!(["daotao", "other"]))),
            ("azp of another client", with(id_claims(), "azp", json!("other"))),
        ];
        for (why, claims) in cases {
            assert!(refused(claims).is_err(), "accepted a token with {why}");
        }
        // Within the allowed skew, a token just expired or just issued is fine.
        assert!(refused(with(id_claims(), "exp", json!(NOW - 30))).is_ok());
        assert!(refused(with(id_claims(), "iat", json!(NOW + 30))).is_ok());
        let several = with(with(id_claims(), "aud", json!(["daotao", "other"])), "azp", json!("daotao"));
        assert!(refused(several).is_ok());
    }

    #[test]
    fn a_signature_by_another_key_or_none_is_refused() {
        let keys = key_set(KEY_A, "a");
        // Another key under the known kid: a forged signature.
        let forged = sign(KEY_B, "a", &id_claims());
        assert!(matches!(verify_id_token(&forged, &keys, &expected(), "n-1"), Err(TokenError::Invalid(_))));
        // An unknown kid asks for the JWKS to be fetched again.
        let rotated = sign(KEY_B, "b", &id_claims());
        assert_eq!(
            verify_id_token(&rotated, &keys, &expected(), "n-1").unwrap_err(),
            TokenError::UnknownKey("b".into())
        );
        assert!(verify_id_token(&rotated, &key_set(KEY_B, "b"), &expected(), "n-1").is_ok());
        // alg "none", and a body changed after signing.
        let good = sign(KEY_A, "a", &id_claims());
        let parts: Vec<&str> = good.split('.').collect();
        let none_header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"alg":"none","kid":"a"}"#,
        );
        assert!(verify_id_token(&format!("{none_header}.{}.", parts[1]), &keys, &expected(), "n-1").is_err());
        let other_body = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            serde_json::to_vec(&with(id_claims(), "sub", json!("admin"))).unwrap(),
        );
        let tampered = format!("{}.{other_body}.{}", parts[0], parts[2]);
        assert!(verify_id_token(&tampered, &keys, &expected(), "n-1").is_err());
    }

    fn logout_claims() -> Value {
        json!({"iss": ISSUER, "aud": "daotao", "sub": "u-1", "sid": "s-1", "iat": NOW, "jti": "j-1",
               "events": {BACKCHANNEL_LOGOUT_EVENT: {}}})
    }

    #[test]
    fn logout_tokens_follow_back_channel_logout_rules() {
        let keys = key_set(KEY_A, "a");
        let check = |claims: Value| verify_logout_token(&sign(KEY_A, "a", &claims), &keys, &expected());
        assert_eq!(
            check(logout_claims()).unwrap(),
            LogoutClaims { sub: Some("u-1".into()), sid: Some("s-1".into()), jti: "j-1".into() }
        );
        assert!(check(with(logout_claims(), "sub", Value::Null)).is_ok(), "sid alone is enough");
        let cases = [
            ("an ID token's nonce", with(logout_claims(), "nonce", json!("n-1"))),
            ("no event", with(logout_claims(), "events", Value::Null)),
            ("another event", with(logout_claims(), "events", json!({"http://example/other": {}}))),
            ("no jti", with(logout_claims(), "jti", Value::Null)),
            ("neither sub nor sid", with(with(logout_claims(), "sub", Value::Null), "sid", Value::Null)),
            ("another issuer", with(logout_claims(), "iss", json!("https://evil.example"))),
            ("another audience", with(logout_claims(), "aud", json!("other"))),
            ("no iat", with(logout_claims(), "iat", Value::Null)),
            ("expired", with(logout_claims(), "exp", json!(NOW - 600))),
        ];
        for (why, claims) in cases {
            assert!(check(claims).is_err(), "accepted a logout token with {why}");
        }
        // An ID token is not a logout token.
        assert!(verify_logout_token(&sign(KEY_A, "a", &id_claims()), &keys, &expected()).is_err());
    }
}
