//! Paging cursors: a query letter and the sort key of the last item returned, in decimal,
//! separated by dots (`s.1767225600000.0.42.17`). Printable, URL-safe, and checked strictly.

use crate::error::ArchiveError;

/// Most characters a cursor may have (bounds what is parsed from a request).
const CURSOR_LEN_MAX: usize = 128;

/// A cursor for query `letter` positioned after the item with sort key `parts`.
pub(crate) fn encode<const N: usize>(letter: char, parts: [u64; N]) -> String {
    let mut text = String::with_capacity(8 + 12 * N);
    text.push(letter);
    for part in parts {
        text.push('.');
        text.push_str(&part.to_string());
    }
    text
}

/// The sort key in a cursor of query `letter`.
pub(crate) fn decode<const N: usize>(letter: char, cursor: &str) -> Result<[u64; N], ArchiveError> {
    let bad = || ArchiveError::BadCursor { cursor: cursor.chars().take(CURSOR_LEN_MAX).collect() };
    if cursor.len() > CURSOR_LEN_MAX {
        return Err(bad());
    }
    let mut pieces = cursor.split('.');
    let mut head = [0u8; 4];
    if pieces.next() != Some(letter.encode_utf8(&mut head)) {
        return Err(bad());
    }
    let mut parts = [0u64; N];
    for part in &mut parts {
        let piece = pieces.next().ok_or_else(bad)?;
        // Digits only: no sign, no leading '+', nothing `parse` would also take.
        if piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        *part = piece.parse().map_err(|_| bad())?;
    }
    if pieces.next().is_some() {
        return Err(bad());
    }
    Ok(parts)
}

/// The page and its cursor from up to `limit + 1` items in order: the extra one only says
/// that there is more.
pub(crate) fn page<T, const N: usize>(
    mut items: Vec<T>,
    limit: usize,
    letter: char,
    key: impl Fn(&T) -> [u64; N],
) -> crate::Page<T> {
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| encode(letter, key(last)))
    } else {
        None
    };
    crate::Page { items, next }
}

/// Refuses a limit of 0.
pub(crate) fn check_limit(limit: usize) -> Result<(), ArchiveError> {
    if limit == 0 {
        Err(ArchiveError::BadLimit)
    } else {
        Ok(())
    }
}
