//! The text rules, in one place: which characters no text field may hold (control characters
//! other than line feed and tab: NUL breaks PostgreSQL, the rest breaks displays and logs), and
//! which a name may not hold besides (bidirectional overrides and zero-width characters, which
//! let a name pose as another or hide text).

/// Whether `c` is refused in every text field: a control character other than `\n` and `\t`.
pub fn forbidden_in_text(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Whether `c` is refused in a name: anything [`forbidden_in_text`] refuses, line breaks and tabs,
/// bidirectional marks, embeddings, overrides and isolates, and zero-width characters.
pub fn forbidden_in_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'                    // Arabic letter mark
            | '\u{200B}'..='\u{200F}'     // zero-width space/(non-)joiner, LRM, RLM
            | '\u{202A}'..='\u{202E}'     // embeddings and overrides
            | '\u{2060}'..='\u{2064}'     // word joiner and invisible operators
            | '\u{2066}'..='\u{2069}'     // isolates
            | '\u{FEFF}'                  // zero-width no-break space
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_line_breaks_and_tabs_only() {
        assert!(!forbidden_in_text('\n'));
        assert!(!forbidden_in_text('\t'));
        assert!(!forbidden_in_text('ü'));
        for c in ['\0', '\r', '\u{7}', '\u{1B}', '\u{7F}', '\u{85}'] {
            assert!(forbidden_in_text(c), "{c:?}");
        }
    }

    #[test]
    fn names_refuse_bidi_and_invisible_characters() {
        for c in [
            '\u{202E}', '\u{2066}', '\u{200B}', '\u{200F}', '\u{FEFF}', '\n',
        ] {
            assert!(forbidden_in_name(c), "{c:?}");
        }
        assert!("Leyla Yılmaz".chars().all(|c| !forbidden_in_name(c)));
        assert!("محمد".chars().all(|c| !forbidden_in_name(c)));
    }
}
