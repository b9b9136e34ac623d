//! A guard run before parsing: roxmltree recurses once per element level, so a file nested
//! a few hundred levels deep would overflow the stack. XTCE files nest a few tens of levels.

/// Deepest element nesting accepted.
pub const XML_DEPTH_MAX: usize = 128;

/// The byte offset of the first element nested deeper than `XML_DEPTH_MAX`, if any.
///
/// It skips comments, CDATA sections, processing instructions and declarations, and quoted
/// attribute values; anything malformed is left for the parser to report.
pub fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut idx = 0;
    while let Some(rel) = bytes.get(idx..)?.iter().position(|b| *b == b'<') {
        let start = idx + rel;
        let rest = bytes.get(start..)?;
        let skip_to = |end: &[u8]| find(rest, end).map(|pos| start + pos + end.len());
        idx = if rest.starts_with(b"<!--") {
            skip_to(b"-->")?
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>")?
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>")?
        } else if rest.starts_with(b"<!") {
            skip_to(b">")?
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_to(b">")?
        } else {
            let end = tag_end(rest)?;
            if rest.get(end.wrapping_sub(1)) != Some(&b'/') {
                depth += 1;
                if depth > XML_DEPTH_MAX {
                    return Some(start);
                }
            }
            start + end + 1
        };
    }
    None
}

/// The offset of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The offset of the `>` that ends the start tag at the beginning of `tag`, outside quotes.
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (idx, byte) in tag.iter().enumerate() {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(*byte),
            (Some(open), _) if open == *byte => quote = None,
            (None, b'>') => return Some(idx),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_element_too_deep() {
        let deep = format!("<a>{}{}</a>", "<b x='>'>".repeat(XML_DEPTH_MAX), "</b>".repeat(XML_DEPTH_MAX));
        assert_eq!(too_deep(&deep), Some(3 + 9 * (XML_DEPTH_MAX - 1)));
        let wide = format!("<a>{}</a>", "<b/><!-- <c> --><![CDATA[<d>]]><?pi <e>?>".repeat(1000));
        assert_eq!(too_deep(&wide), None);
        assert_eq!(too_deep("<a><b"), None);
    }
}
