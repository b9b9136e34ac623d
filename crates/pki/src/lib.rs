//! The platform's certificate authority and workload identities: short-lived certificates with
//! SPIFFE ids (`spiffe://<trust-domain>/mission/<m>/env/<e>/<component>`), and the rustls
//! configurations that require them (mutual TLS, identified by certificate, never by address).
