//! The single request gate: who is asking (principal), may they (authorize), record it.
//! Issue 7 puts real identity and Cedar policy behind `Authorizer`.

/// Who is asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// A stable id: a user name, a token's name, or `anonymous`.
    pub id: String,
    pub kind: PrincipalKind,
}

/// How the principal was identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    /// No credential was presented.
    Anonymous,
    /// A bearer API token.
    Token,
}
