//! The one way a message quotes text it did not write: a token's `kid` or
//! `crit` names, a key's `kty`, `crv` or `alg`, an option name. Such text
//! can be as long as the token (128 KiB) and hold newlines; Prosody writes
//! the message to its log, so a quotation is bounded and escaped here, in
//! one place, whatever message it goes into.
#![forbid(unsafe_code)]

use std::fmt;

/// Most characters of the quoted text a message shows.
pub const MAX_QUOTED_CHARS: usize = 64;

/// `text` in double quotes, as [`Quoted`]'s `Display` writes it.
pub fn quoted(text: &str) -> Quoted<'_> {
    Quoted(text)
}

/// Text quoted for a message: `"text"`, with `"`, `\`, control and other
/// unprintable characters escaped as Rust's `escape_debug` does (`\n`,
/// `\u{1b}`), so one quotation is always one line. At most
/// [`MAX_QUOTED_CHARS`] characters are shown; longer text is cut there and
/// followed by `…(N bytes)`, N its whole length in bytes:
/// `"aaaa…aaaa"…(60000 bytes)`.
#[derive(Debug, Clone, Copy)]
pub struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(MAX_QUOTED_CHARS) {
            write!(f, "{}", c.escape_debug())?;
        }
        f.write_str("\"")?;
        if chars.next().is_some() {
            write!(f, "…({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_quoted_whole_and_escaped() {
        assert_eq!(quoted("rsa2048").to_string(), r#""rsa2048""#);
        assert_eq!(quoted("").to_string(), r#""""#);
        assert_eq!(
            quoted("a\"b\\c\nd\u{1b}").to_string(),
            r#""a\"b\\c\nd\u{1b}""#
        );
        let exact = "é".repeat(MAX_QUOTED_CHARS);
        assert_eq!(quoted(&exact).to_string(), format!("\"{exact}\""));
    }

    #[test]
    fn long_text_is_cut_and_its_length_given() {
        let kid = "k".repeat(60_000);
        let shown = quoted(&kid).to_string();
        assert_eq!(
            shown,
            format!("\"{}\"…(60000 bytes)", "k".repeat(MAX_QUOTED_CHARS))
        );
        // Escapes can at most multiply the shown characters by ten (\u{10ffff}).
        let controls = "\u{1}".repeat(60_000);
        assert!(quoted(&controls).to_string().len() < 10 * MAX_QUOTED_CHARS + 40);
        // Cut on a character, never inside one.
        let wide = "€".repeat(MAX_QUOTED_CHARS + 1);
        assert!(quoted(&wide).to_string().ends_with("\"…(195 bytes)"));
    }
}
