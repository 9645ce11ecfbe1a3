//! OpenID Connect, authorization code flow with PKCE (as WSO2 Identity Server runs it for the national
//! portal, and any certified provider): the endpoints come from a discovery document or one by one,
//! the code is exchanged over the back channel, the ID token is checked against the provider's JWKS
//! (`token.rs`), and userinfo fills in the claims the ID token leaves out. The provider's keys are
//! cached; a token signed with a key we do not know makes us fetch them again, once.

pub mod token;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use daotao_core::platform::config::SsoConfig;
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;

use self::token::{Expected, IdClaims, LogoutClaims, TokenError};
use super::{Attributes, SignOnError, back_channel, unreachable};

/// For a logout token (anyone can POST one) the JWKS is fetched again for an unknown key at most this
/// often, so forged tokens with made-up key ids cannot make us hammer the provider. An ID token comes
/// from the provider's own token endpoint, so its unknown key is always looked up at once.
const REFETCH_KEYS_AT_MOST_EVERY: Duration = Duration::from_secs(10);
/// Documents and token answers larger than this are refused.
const MAX_BODY: usize = 512 * 1024;

/// An OpenID Connect provider and our client registration with it.
pub struct Oidc {
    issuer: String,
    discovery_url: String,
    /// Endpoints the admin set one by one; each wins over discovery.
    configured: Endpoints,
    client_id: String,
    client_secret: String,
    scopes: String,
    acr_values: String,
    http: reqwest::Client,
    /// Discovery's answer merged with the configured endpoints, once known.
    endpoints: RwLock<Option<Endpoints>>,
    keys: RwLock<Option<(JwkSet, Instant)>>,
}

/// Where the provider's endpoints are. Empty: unknown.
#[derive(Debug, Clone, Default, Deserialize)]
struct Endpoints {
    #[serde(default, rename = "authorization_endpoint")]
    authorization: String,
    #[serde(default, rename = "token_endpoint")]
    token: String,
    #[serde(default, rename = "jwks_uri")]
    jwks: String,
    #[serde(default, rename = "userinfo_endpoint")]
    userinfo: String,
    #[serde(default, rename = "end_session_endpoint")]
    end_session: String,
}

/// When a token signed with an unknown key may make us fetch the provider's keys again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyRefetch {
    Now,
    RateLimited,
}

/// The secrets of one sign-in between the redirect and the callback.
pub struct Challenge {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
}

/// A finished sign-in: who, the provider's session for single logout, and the claims.
pub struct SignedOn {
    pub subject: String,
    pub sid: Option<String>,
    pub claims: Attributes,
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
    access_token: Option<String>,
    error: Option<String>,
}

impl Oidc {
    pub fn new(config: &SsoConfig) -> Self {
        let t = |s: &str| s.trim().to_string();
        Self {
            issuer: t(&config.issuer),
            discovery_url: t(&config.discovery_url),
            configured: Endpoints {
                authorization: t(&config.authorization_url),
                token: t(&config.token_url),
                jwks: t(&config.jwks_url),
                userinfo: t(&config.userinfo_url),
                end_session: t(&config.end_session_url),
            },
            client_id: t(&config.client_id),
            client_secret: config.client_secret.clone(),
            scopes: t(&config.scopes),
            acr_values: t(&config.acr_values),
            http: back_channel(),
            endpoints: RwLock::new(None),
            keys: RwLock::new(None),
        }
    }

    /// The issuer its tokens and answers must name.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The provider's sign-in page for this challenge, coming back to `redirect_uri`.
    pub async fn authorization_url(
        &self,
        redirect_uri: &str,
        challenge: &Challenge,
    ) -> Result<String, SignOnError> {
        let endpoints = self.endpoints().await?;
        let mut url = reqwest::Url::parse(&endpoints.authorization)
            .map_err(|e| SignOnError::BadAnswer(format!("authorization endpoint: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("scope", &self.scopes)
                .append_pair("state", &challenge.state)
                .append_pair("nonce", &challenge.nonce)
                .append_pair("code_challenge", &code_challenge(&challenge.code_verifier))
                .append_pair("code_challenge_method", "S256");
            if !self.acr_values.is_empty() {
                q.append_pair("acr_values", &self.acr_values);
            }
        }
        Ok(url.into())
    }

    /// Exchanges `code`, checks the ID token, and adds what userinfo says of the same subject.
    pub async fn finish(
        &self,
        redirect_uri: &str,
        code: &str,
        code_verifier: &str,
        nonce: &str,
    ) -> Result<SignedOn, SignOnError> {
        let endpoints = self.endpoints().await?;
        let answer = self.exchange(&endpoints, redirect_uri, code, code_verifier).await?;
        let id_token = answer
            .id_token
            .ok_or_else(|| SignOnError::BadAnswer("the token answer has no id_token".into()))?;
        let IdClaims { sub, sid, mut claims } = self
            .verify(KeyRefetch::Now, |keys, expected| {
                token::verify_id_token(&id_token, keys, expected, nonce)
            })
            .await?;
        if let (false, Some(access_token)) = (endpoints.userinfo.is_empty(), answer.access_token) {
            let info = self.userinfo(&endpoints.userinfo, &access_token).await?;
            if info.get("sub").and_then(Value::as_str) != Some(sub.as_str()) {
                return Err(SignOnError::BadAnswer("userinfo is about another subject".into()));
            }
            for (name, value) in info {
                claims.entry(name).or_insert(value);
            }
        }
        Ok(SignedOn { subject: sub, sid, claims: as_text(&claims) })
    }

    /// Checks a back-channel logout token.
    pub async fn verify_logout_token(&self, logout_token: &str) -> Result<LogoutClaims, SignOnError> {
        self.verify(KeyRefetch::RateLimited, |keys, expected| {
            token::verify_logout_token(logout_token, keys, expected)
        })
        .await
    }

    /// Where the person's provider session ends, coming back to `back_to` (RP-Initiated Logout 1.0);
    /// `None` when the provider has no end-session endpoint.
    pub async fn end_session_url(&self, back_to: &str) -> Option<String> {
        let endpoints = self.endpoints().await.ok()?;
        let mut url = reqwest::Url::parse(&endpoints.end_session).ok()?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("post_logout_redirect_uri", back_to);
        Some(url.into())
    }

    /// Runs `check` against the cached keys; on an unknown key, fetches the JWKS again (as `refetch`
    /// allows) and checks once more.
    async fn verify<T>(
        &self,
        refetch: KeyRefetch,
        check: impl Fn(&JwkSet, &Expected<'_>) -> Result<T, TokenError>,
    ) -> Result<T, SignOnError> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let expected = Expected { issuer: &self.issuer, client_id: &self.client_id, now };
        let refused = |e: TokenError| SignOnError::Refused(format!("token: {e}"));
        let cached = self.keys.read().await.clone();
        let (keys, fetched_at) = match cached {
            Some(cached) => cached,
            None => self.fetch_keys().await?,
        };
        match check(&keys, &expected) {
            Err(TokenError::UnknownKey(kid))
                if refetch == KeyRefetch::Now || fetched_at.elapsed() >= REFETCH_KEYS_AT_MOST_EVERY =>
            {
                tracing::info!(
                    kid,
                    "a token is signed with a key we do not know: fetching the provider's keys again"
                );
                let (keys, _) = self.fetch_keys().await?;
                check(&keys, &expected).map_err(refused)
            }
            other => other.map_err(refused),
        }
    }

    async fn fetch_keys(&self) -> Result<(JwkSet, Instant), SignOnError> {
        let endpoints = self.endpoints().await?;
        let keys: JwkSet = self.get_json(&endpoints.jwks, "JWKS", None).await?;
        let fetched = (keys, Instant::now());
        *self.keys.write().await = Some(fetched.clone());
        Ok(fetched)
    }

    /// The endpoints: the configured ones, and for the rest the discovery document (fetched once; a
    /// failure is not cached, so a provider that was down is asked again next time).
    async fn endpoints(&self) -> Result<Endpoints, SignOnError> {
        if let Some(known) = self.endpoints.read().await.clone() {
            return Ok(known);
        }
        let c = &self.configured;
        let complete = !c.authorization.is_empty() && !c.token.is_empty() && !c.jwks.is_empty();
        let merged = if complete && self.discovery_url.is_empty() {
            c.clone()
        } else {
            let url = if self.discovery_url.is_empty() {
                format!("{}/.well-known/openid-configuration", self.issuer.trim_end_matches('/'))
            } else {
                self.discovery_url.clone()
            };
            let document: Map<String, Value> = self.get_json(&url, "discovery document", None).await?;
            // OpenID Connect Discovery 1.0 §4.3: the document's issuer must be the one we expect.
            if document.get("issuer").and_then(Value::as_str) != Some(self.issuer.as_str()) {
                return Err(SignOnError::BadAnswer(format!(
                    "the discovery document at {url} names another issuer than {}",
                    self.issuer
                )));
            }
            let found = Endpoints::deserialize(Value::Object(document))
                .map_err(|e| SignOnError::BadAnswer(format!("discovery document: {e}")))?;
            let pick = |mine: &str, theirs: String| if mine.is_empty() { theirs } else { mine.to_string() };
            Endpoints {
                authorization: pick(&c.authorization, found.authorization),
                token: pick(&c.token, found.token),
                jwks: pick(&c.jwks, found.jwks),
                userinfo: pick(&c.userinfo, found.userinfo),
                end_session: pick(&c.end_session, found.end_session),
            }
        };
        for (name, value) in
            [("authorization", &merged.authorization), ("token", &merged.token), ("jwks", &merged.jwks)]
        {
            if value.is_empty() {
                return Err(SignOnError::BadAnswer(format!(
                    "no {name} endpoint: set DAOTAO_SSO_{}_URL",
                    name.to_uppercase()
                )));
            }
        }
        *self.endpoints.write().await = Some(merged.clone());
        Ok(merged)
    }

    async fn exchange(
        &self,
        endpoints: &Endpoints,
        redirect_uri: &str,
        code: &str,
        code_verifier: &str,
    ) -> Result<TokenAnswer, SignOnError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
            ("client_id", &self.client_id),
        ];
        let mut request = self.http.post(&endpoints.token).form(&form);
        if !self.client_secret.is_empty() {
            // client_secret_basic (RFC 6749 §2.3.1): both parts form-encoded first.
            let id: String = form_urlencoded::byte_serialize(self.client_id.as_bytes()).collect();
            let secret: String = form_urlencoded::byte_serialize(self.client_secret.as_bytes()).collect();
            request = request.basic_auth(id, Some(secret));
        }
        let resp = request.send().await.map_err(|e| unreachable("token endpoint", e))?;
        let status = resp.status();
        let body = read_limited(resp, "token endpoint").await?;
        let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|_| {
            SignOnError::BadAnswer(format!("the token endpoint answered HTTP {status}, not JSON"))
        })?;
        if let Some(error) = &answer.error {
            return Err(SignOnError::Refused(format!("the token endpoint says {error}")));
        }
        if !status.is_success() {
            return Err(SignOnError::BadAnswer(format!("the token endpoint answered HTTP {status}")));
        }
        Ok(answer)
    }

    async fn userinfo(&self, url: &str, access_token: &str) -> Result<Map<String, Value>, SignOnError> {
        self.get_json(url, "userinfo", Some(access_token)).await
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        what: &str,
        bearer: Option<&str>,
    ) -> Result<T, SignOnError> {
        let mut request = self.http.get(url).header("accept", "application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let resp = request.send().await.map_err(|e| unreachable(what, e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(SignOnError::BadAnswer(format!("{what} at {url} answered HTTP {status}")));
        }
        let body = read_limited(resp, what).await?;
        serde_json::from_slice(&body).map_err(|e| SignOnError::BadAnswer(format!("{what} at {url}: {e}")))
    }
}

async fn read_limited(resp: reqwest::Response, what: &str) -> Result<Vec<u8>, SignOnError> {
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(SignOnError::BadAnswer(format!("{what} answered too much")));
    }
    let body = resp.bytes().await.map_err(|e| unreachable(what, e))?;
    if body.len() > MAX_BODY {
        return Err(SignOnError::BadAnswer(format!("{what} answered too much")));
    }
    Ok(body.to_vec())
}

/// PKCE S256 (RFC 7636 §4.2).
fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Claims as text: strings as they are, numbers and booleans written out, the first of a list.
fn as_text(claims: &Map<String, Value>) -> Attributes {
    claims
        .iter()
        .filter_map(|(name, value)| {
            let value = match value {
                Value::Array(list) => list.first()?,
                other => other,
            };
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((name.clone(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_challenge_is_rfc_7636s() {
        // RFC 7636 Appendix B.
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn claims_become_text() {
        let claims: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "name": "Nguyễn Văn An", "unit": ["SO-TTTT", "UBND"], "employee": 42, "address": {"x": 1}
        }))
        .unwrap();
        let text = as_text(&claims);
        assert_eq!(text["name"], "Nguyễn Văn An");
        assert_eq!(text["unit"], "SO-TTTT");
        assert_eq!(text["employee"], "42");
        assert!(!text.contains_key("address"));
    }
}
