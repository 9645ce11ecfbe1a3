//! CAS 3.0 (Apereo CAS, as Đà Nẵng's `dangnhap.danang.gov.vn/cas` runs it): send the person to
//! `/login?service=`, validate the ticket they come back with over the back channel at
//! `/p3/serviceValidate` against the exact same service URL, and read the answer's XML with a
//! namespace-aware parser. Single logout arrives as a SAML `LogoutRequest` naming the ticket.

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use super::{Attributes, SignOnError, back_channel, unreachable};

/// The namespace of `cas:serviceResponse`.
const CAS_NS: &str = "http://www.yale.edu/tp/cas";
/// The namespace of `samlp:LogoutRequest` and `samlp:SessionIndex`.
const SAMLP_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// Answers and logout requests larger than this are not read (a real one is a few kilobytes).
const MAX_XML: usize = 256 * 1024;

/// A CAS server.
pub struct Cas {
    base: String,
    http: reqwest::Client,
}

/// What a successful validation says: the CAS user and the released attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated {
    pub user: String,
    pub attributes: Attributes,
}

impl Cas {
    pub fn new(base_url: &str) -> Self {
        Self { base: base_url.trim().trim_end_matches('/').to_string(), http: back_channel() }
    }

    /// Where the person signs in; CAS sends them back to `service` with `?ticket=` (or `&ticket=`).
    pub fn login_url(&self, service: &str) -> String {
        format!("{}/login?service={}", self.base, encode(service))
    }

    /// Where the person's CAS session ends; CAS 3 then offers (or follows) the way back to `service`.
    pub fn logout_url(&self, service: &str) -> String {
        format!("{}/logout?service={}", self.base, encode(service))
    }

    /// Validates `ticket` for exactly `service`; anything but an `authenticationSuccess` is refused.
    pub async fn validate(&self, service: &str, ticket: &str) -> Result<Validated, SignOnError> {
        if !is_ticket(ticket) {
            return Err(SignOnError::Refused("the ticket is not a CAS service ticket".into()));
        }
        let url =
            format!("{}/p3/serviceValidate?service={}&ticket={}", self.base, encode(service), encode(ticket));
        let resp = self.http.get(url).send().await.map_err(|e| unreachable("CAS ticket validation", e))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| unreachable("CAS ticket validation", e))?;
        if !status.is_success() {
            return Err(SignOnError::BadAnswer(format!("CAS ticket validation answered HTTP {status}")));
        }
        if body.len() > MAX_XML {
            return Err(SignOnError::BadAnswer("CAS ticket validation answered too much".into()));
        }
        let text = std::str::from_utf8(&body).map_err(|_| {
            SignOnError::BadAnswer("CAS ticket validation answered text that is not UTF-8".into())
        })?;
        parse_service_response(text)
    }
}

/// A service ticket as CAS 3.0 makes them: `ST-` and URL-safe characters, at most 256 of them.
fn is_ticket(ticket: &str) -> bool {
    ticket.starts_with("ST-")
        && ticket.len() <= 256
        && ticket.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Reads a `/p3/serviceValidate` answer: the user and attributes of an `authenticationSuccess`, or a
/// refusal naming the failure's code.
pub fn parse_service_response(xml: &str) -> Result<Validated, SignOnError> {
    let bad = |why: String| SignOnError::BadAnswer(format!("CAS validation answer: {why}"));
    let mut reader = NsReader::from_str(xml);
    // The path of open elements: (in the CAS namespace, local name).
    let mut path: Vec<(bool, String)> = Vec::new();
    let mut user: Option<String> = None;
    let mut attributes = Attributes::new();
    let mut failure: Option<String> = None;
    let mut text = String::new();
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| bad(e.to_string()))?;
        let in_cas = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == CAS_NS);
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if in_cas && name == "authenticationFailure" && path.len() == 1 {
                    failure = Some(
                        e.try_get_attribute("code")
                            .ok()
                            .flatten()
                            .and_then(|a| {
                                a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned())
                            })
                            .unwrap_or_else(|| "UNKNOWN".into()),
                    );
                }
                path.push((in_cas, name));
                text.clear();
            }
            Event::Empty(_) => {}
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t),
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let reference = format!("&{name};");
                let resolved = quick_xml::escape::unescape(&reference)
                    .map_err(|e| bad(format!("unknown entity {reference}: {e}")))?;
                text.push_str(&resolved);
            }
            Event::End(_) => {
                let names: Vec<&str> =
                    path.iter().map(|(cas, n)| if *cas { n.as_str() } else { "" }).collect();
                match names.as_slice() {
                    ["serviceResponse", "authenticationSuccess", "user"] => {
                        user = Some(text.trim().to_string())
                    }
                    ["serviceResponse", "authenticationSuccess", "attributes", name] if !name.is_empty() => {
                        attributes.entry((*name).to_string()).or_insert_with(|| text.trim().to_string());
                    }
                    _ => {}
                }
                path.pop();
                text.clear();
            }
            Event::DocType(_) => return Err(bad("a DOCTYPE is not allowed".into())),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if let Some(code) = failure {
        return Err(SignOnError::Refused(format!("CAS says {code}")));
    }
    match user {
        Some(user) if !user.is_empty() => Ok(Validated { user, attributes }),
        _ => Err(bad("no cas:serviceResponse/cas:authenticationSuccess/cas:user".into())),
    }
}

/// The ticket a single-logout request names (`samlp:SessionIndex`), if it is one.
pub fn parse_logout_request(xml: &str) -> Option<String> {
    if xml.len() > MAX_XML {
        return None;
    }
    let mut reader = NsReader::from_str(xml);
    let mut in_index = false;
    let mut text = String::new();
    loop {
        match reader.read_resolved_event().ok()? {
            (ResolveResult::Bound(ns), Event::Start(e))
                if ns.as_ref() == SAMLP_NS && e.local_name().as_ref() == "SessionIndex" =>
            {
                in_index = true;
            }
            (_, Event::Text(t)) if in_index => text.push_str(&t.xml10_content()),
            (_, Event::End(_)) if in_index => {
                let ticket = text.trim().to_string();
                return is_ticket(&ticket).then_some(ticket);
            }
            (_, Event::DocType(_) | Event::Eof) => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUCCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess>
    <cas:user>hoa.nt</cas:user>
    <cas:attributes>
      <cas:name>Nguyễn Thị &amp; Hoa</cas:name>
      <cas:unit>SO-TTTT</cas:unit>
      <cas:group>a</cas:group>
      <cas:group>b</cas:group>
    </cas:attributes>
  </cas:authenticationSuccess>
</cas:serviceResponse>"#;

    #[test]
    fn a_success_gives_the_user_and_the_first_value_of_each_attribute() {
        let v = parse_service_response(SUCCESS).unwrap();
        assert_eq!(v.user, "hoa.nt");
        assert_eq!(v.attributes["name"], "Nguyễn Thị & Hoa");
        assert_eq!(v.attributes["unit"], "SO-TTTT");
        assert_eq!(v.attributes["group"], "a");
    }

    #[test]
    fn anything_but_a_success_is_refused() {
        let failure = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
            <cas:authenticationFailure code="INVALID_TICKET">Ticket ST-1 not recognized</cas:authenticationFailure>
        </cas:serviceResponse>"#;
        let err = parse_service_response(failure).unwrap_err();
        assert!(matches!(&err, SignOnError::Refused(m) if m.contains("INVALID_TICKET")), "{err}");
        // The user's name in a comment or in another namespace is not a success: a parser, not a search.
        for forged in [
            "<!-- <cas:user>admin</cas:user> --><cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\"/>",
            "<cas:serviceResponse xmlns:cas=\"http://evil.example/cas\"><cas:authenticationSuccess>\
             <cas:user>admin</cas:user></cas:authenticationSuccess></cas:serviceResponse>",
            "<html><body>CAS is down</body></html>",
            "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\"><cas:authenticationSuccess>",
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>",
        ] {
            assert!(parse_service_response(forged).is_err(), "accepted: {forged}");
        }
    }

    #[test]
    fn a_logout_request_names_its_ticket() {
        let request = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
            xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="x" Version="2.0" IssueInstant="2026-12-03T10:00:00Z">
            <saml:NameID>@NOT_USED@</saml:NameID>
            <samlp:SessionIndex>ST-42-abcDEF</samlp:SessionIndex>
        </samlp:LogoutRequest>"#;
        assert_eq!(parse_logout_request(request).as_deref(), Some("ST-42-abcDEF"));
        assert_eq!(parse_logout_request("<SessionIndex>ST-1</SessionIndex>"), None);
        assert_eq!(parse_logout_request("garbage"), None);
    }

    #[test]
    fn only_service_tickets_are_sent_to_cas() {
        assert!(is_ticket("ST-1-abc_DEF.x"));
        assert!(!is_ticket("PT-1"));
        assert!(!is_ticket("ST-1&service=https://evil.example"));
    }
}
