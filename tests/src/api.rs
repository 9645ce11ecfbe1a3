//! The JSON API of a started server, called as a client program would: one place for the request, the
//! bearer token and reading the answer (JSON, or the text when it is not JSON), for every suite that
//! drives `/api/v1` over real HTTP.

use reqwest::blocking::Client;
use serde_json::Value;

use crate::PATIENCE;

/// A client without keep-alive (each request a new connection, so a load balancer in front decides where
/// each one goes) that does not follow redirects.
pub fn client() -> Client {
    Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(PATIENCE)
        .build()
        .unwrap()
}

/// Sends `body` (when given) as JSON with the `bearer` token (when given): (status, body as JSON, or as a
/// string when it is not JSON). An error only when no answer came (a server killed, say).
pub fn send(
    http: &Client,
    method: reqwest::Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> reqwest::Result<(u16, Value)> {
    let mut req = http.request(method, url);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    let resp = req.send()?;
    let status = resp.status().as_u16();
    let text = resp.text()?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

/// [`send`] on a new [`client`]; panics, naming `url`, when no answer came.
pub fn call(method: reqwest::Method, url: &str, bearer: Option<&str>, body: Option<Value>) -> (u16, Value) {
    send(&client(), method, url, bearer, body.as_ref()).unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// GET `url` with an optional bearer token: (status, body as text, exactly as sent).
pub fn get(url: &str, bearer: Option<&str>) -> (u16, String) {
    let mut req = client().get(url);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    let resp = req.send().unwrap_or_else(|e| panic!("{url}: {e}"));
    (resp.status().as_u16(), resp.text().unwrap())
}
