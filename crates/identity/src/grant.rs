//! Grants as text (`mission/env/role`, `*` for every mission or environment) and the question a
//! token's creation asks: are these grants within those held?

use base::Env;
use policy::{Grant, GrantError};

/// Longest grant text read: a mission slug, an environment and a role, with room to spare.
const GRANT_LEN_MAX: usize = 256;

/// Parses `mission/env/role`, where mission and env may be `*` (`policy::Grant`'s `FromStr`),
/// refusing texts over `GRANT_LEN_MAX` bytes before reading them.
pub fn parse_grant(text: &str) -> Result<Grant, GrantError> {
    if text.len() > GRANT_LEN_MAX {
        let mut end = GRANT_LEN_MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        return Err(GrantError::Shape { text: format!("{}...", &text[..end]) });
    }
    text.parse()
}

/// Whether `held` gives at least `wanted`: the same role, in the same or a wildcard mission and
/// environment. A role never covers another one (an operator's grant does not give a viewer's):
/// what a role may do is the policies' business, a mission's own included, so only the exact
/// role is surely within what the holder may do.
pub fn grant_covers(held: &Grant, wanted: &Grant) -> bool {
    held.role == wanted.role
        && (held.mission.is_none() || held.mission == wanted.mission)
        && (held.env.is_none() || held.env == wanted.env)
}

/// The first of `wanted` that no grant of `held` covers, if any.
pub fn grants_within<'a>(wanted: &'a [Grant], held: &[Grant]) -> Result<(), &'a Grant> {
    match wanted.iter().find(|w| !held.iter().any(|h| grant_covers(h, w))) {
        Some(outside) => Err(outside),
        None => Ok(()),
    }
}

/// The environments `grants` reach, in promotion order: `None` when one of them holds for
/// every environment (`*`).
pub fn envs_reached(grants: &[Grant]) -> Option<Vec<Env>> {
    if grants.iter().any(|g| g.env.is_none()) {
        return None;
    }
    Some(Env::ALL.into_iter().filter(|env| grants.iter().any(|g| g.env == Some(*env))).collect())
}

#[cfg(test)]
mod tests;
