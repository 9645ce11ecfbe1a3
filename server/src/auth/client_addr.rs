//! The client's address, seen through the reverse proxies the configuration trusts (`trusted_proxies`).
//!
//! Behind nginx every connection comes from nginx, so the per-address login limit would count the whole
//! province's failures together. A trusted proxy appends the address it saw to `X-Forwarded-For`; reading
//! that list from the right, past the proxies we trust, gives the first address no trusted proxy vouches
//! for: the client's. Entries further left are whatever the client sent and are never believed.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

/// The client behind a connection from `peer` that carried the `X-Forwarded-For` headers `forwarded_for`
/// (in the order received), when the proxies in `trusted` are believed.
pub fn client(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|range| range.contains(ip));
    let mut client = peer;
    let mut hops = forwarded_for.iter().flat_map(|header| header.split(',')).rev();
    while is_trusted(&client) {
        // A hop we trust that names no readable address: it is the client we can vouch for.
        let Some(ip) = hops.next().and_then(|hop| address(hop.trim())) else { break };
        client = ip;
    }
    client
}

/// An entry of `X-Forwarded-For`: `203.0.113.7`, `2001:db8::1`, or either with a port.
fn address(entry: &str) -> Option<IpAddr> {
    entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn ranges(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|r| r.parse().unwrap()).collect()
    }

    #[test]
    fn without_trusted_proxies_the_connection_is_the_client() {
        assert_eq!(client(ip("127.0.0.1"), &["203.0.113.7"], &[]), ip("127.0.0.1"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let trusted = ranges(&["127.0.0.1/32"]);
        assert_eq!(client(ip("127.0.0.1"), &["203.0.113.7"], &trusted), ip("203.0.113.7"));
        assert_eq!(client(ip("127.0.0.1"), &["203.0.113.7:51234"], &trusted), ip("203.0.113.7"));
        assert_eq!(client(ip("127.0.0.1"), &[], &trusted), ip("127.0.0.1"), "no header: the proxy itself");
    }

    #[test]
    fn what_the_client_wrote_itself_is_not_believed() {
        // The client sent `X-Forwarded-For: 198.51.100.1`; the proxy appended the address it saw.
        let trusted = ranges(&["127.0.0.1/32"]);
        assert_eq!(client(ip("127.0.0.1"), &["198.51.100.1, 203.0.113.7"], &trusted), ip("203.0.113.7"));
        // A connection straight from the client is never read through its own header.
        assert_eq!(client(ip("203.0.113.7"), &["198.51.100.1"], &trusted), ip("203.0.113.7"));
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_from_the_right() {
        let trusted = ranges(&["127.0.0.1/32", "10.0.0.0/8"]);
        let headers = ["198.51.100.1, 203.0.113.7", "10.1.2.3"];
        assert_eq!(client(ip("127.0.0.1"), &headers, &trusted), ip("203.0.113.7"));
        assert_eq!(client(ip("::1"), &headers, &trusted), ip("::1"), "::1 is not trusted here");
        let v6 = ranges(&["::1/128"]);
        assert_eq!(client(ip("::1"), &["2001:db8::5", "[2001:db8::6]:443"], &v6), ip("2001:db8::6"));
    }

    #[test]
    fn garbage_stops_at_the_last_address_vouched_for() {
        let trusted = ranges(&["127.0.0.1/32", "10.0.0.0/8"]);
        assert_eq!(client(ip("127.0.0.1"), &["203.0.113.7, unknown, 10.0.0.9"], &trusted), ip("10.0.0.9"));
        assert_eq!(client(ip("127.0.0.1"), &["x".repeat(10_000).as_str()], &trusted), ip("127.0.0.1"));
    }
}
