use super::{line_column, policy_starts};

#[test]
fn policies_start_at_their_effect() {
    let text = "// permit in a comment\n@id(\"a;permit\")\npermit (principal, action, resource)\nwhen { context.forbid };\n\nforbid (principal, action, resource);";
    let lines: Vec<(usize, usize)> = policy_starts(text).into_iter().map(|offset| line_column(text, offset)).collect();
    assert_eq!(lines, [(3, 1), (6, 1)]);
}

#[test]
fn lines_and_columns_count_characters() {
    assert_eq!(line_column("ab\ncé d", 7), (2, 4));
    assert_eq!(line_column("ab", 99), (1, 3));
}
