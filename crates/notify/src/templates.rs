//! SMS texts in German and English.
//!
//! SMS are billed per segment. A text that uses only the GSM 03.38 alphabet (which includes `ä ö ü
//! Ä Ö Ü ß`) fits 160 characters in one segment, 153 each when split; a single character outside it
//! (`ç`, `á`, `’`, `–`, an emoji — common in company names) switches the whole text to UCS-2: 70 in
//! one segment, 67 each when split. The sign-in text is kept within two UCS-2 segments.

use portal_domain::Locale;

/// Company names are cut to this many characters in SMS so the sign-in text stays within two
/// segments even in UCS-2.
pub const MAX_COMPANY_NAME_CHARS: usize = 30;

/// The sign-in code text. Its last line is the WebOTP form `@host #code`, so browsers on phones offer
/// to fill the code in: `webotp_host` is the portal's host name as the browser sees it, without scheme
/// or port (`kunden.example.de`).
///
/// With a 30-character company name, a 2-digit validity and a host of up to 49 characters the German
/// text fits in two segments even when the company name forces UCS-2.
pub fn sign_in_code(
    locale: Locale,
    code: &str,
    company_name: &str,
    webotp_host: &str,
    valid_minutes: u32,
) -> String {
    let company = sms_company_name(company_name);
    let first_line = match (locale, valid_minutes) {
        (Locale::De, 1) => format!("{code} ist Ihr Code für {company}. Gültig 1 Minute."),
        (Locale::De, n) => format!("{code} ist Ihr Code für {company}. Gültig {n} Minuten."),
        (Locale::En, 1) => format!("{code} is your code for {company}. Valid for 1 minute."),
        (Locale::En, n) => format!("{code} is your code for {company}. Valid for {n} minutes."),
    };
    with_webotp_line(&first_line, webotp_host, code)
}

/// `text`, then the WebOTP line `@host #code` that lets phones offer to fill the code in.
fn with_webotp_line(text: &str, webotp_host: &str, code: &str) -> String {
    format!("{text}\n\n@{webotp_host} #{code}")
}

/// The code that proves a new phone number belongs to the customer, with the same WebOTP line as
/// the sign-in text.
pub fn phone_change_code(
    locale: Locale,
    code: &str,
    company_name: &str,
    webotp_host: &str,
    valid_minutes: u32,
) -> String {
    let company = sms_company_name(company_name);
    let first_line = match locale {
        Locale::De => format!(
            "{code} ist Ihr Code, um diese Nummer bei {company} zu hinterlegen. Gültig {valid_minutes} Min."
        ),
        Locale::En => format!(
            "{code} is your code to use this number at {company}. Valid for {valid_minutes} min."
        ),
    };
    with_webotp_line(&first_line, webotp_host, code)
}

/// A customer cancelled an appointment. `date` and `time` are already local to the branch and
/// formatted for the locale (see [`local_date`] and [`local_time`]).
pub fn appointment_cancelled(
    locale: Locale,
    company_name: &str,
    service: &str,
    date: &str,
    time: &str,
) -> String {
    let company = sms_company_name(company_name);
    match locale {
        // Plain wording without typographic quotes keeps the text in the cheaper GSM-7 alphabet.
        Locale::De => {
            format!("{company}: Ihr Termin {service} am {date} um {time} Uhr ist storniert.")
        }
        Locale::En => {
            format!("{company}: your appointment {service} on {date} at {time} is cancelled.")
        }
    }
}

/// A customer moved an appointment; `date` and `time` are the new local start.
pub fn appointment_rescheduled(
    locale: Locale,
    company_name: &str,
    service: &str,
    date: &str,
    time: &str,
) -> String {
    let company = sms_company_name(company_name);
    match locale {
        Locale::De => {
            format!("{company}: Ihr Termin {service} ist verschoben auf {date} um {time} Uhr.")
        }
        Locale::En => {
            format!("{company}: your appointment {service} is moved to {date} at {time}.")
        }
    }
}

/// A local date in the locale's short form: `Di., 01.12.2026` / `Tue 1 Dec 2026`.
pub fn local_date(locale: Locale, date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    const DE_DAYS: [&str; 7] = ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."];
    const EN_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const EN_MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let weekday = date.weekday().num_days_from_monday() as usize;
    match locale {
        Locale::De => format!(
            "{} {:02}.{:02}.{}",
            DE_DAYS[weekday],
            date.day(),
            date.month(),
            date.year()
        ),
        Locale::En => format!(
            "{} {} {} {}",
            EN_DAYS[weekday],
            date.day(),
            EN_MONTHS[date.month0() as usize],
            date.year()
        ),
    }
}

/// A local time of day, `HH:MM` in both languages.
pub fn local_time(time: chrono::NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

/// The company name on one line (line breaks would confuse the WebOTP line), at most
/// [`MAX_COMPANY_NAME_CHARS`] characters.
pub fn sms_company_name(name: &str) -> String {
    let one_line = name.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(MAX_COMPANY_NAME_CHARS) {
        Some((cut, _)) => one_line[..cut].trim_end().to_owned(),
        None => one_line,
    }
}

/// GSM 03.38 default alphabet, one septet each (the escape code left out).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// GSM 03.38 extension table: two septets each (escape + character).
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// How many SMS segments `text` takes: GSM-7 when every character is in the GSM alphabet, else UCS-2.
/// A character is never split across segments (an escape pair or a UTF-16 surrogate pair stays whole).
pub fn sms_segments(text: &str) -> usize {
    let gsm_units: Option<Vec<usize>> = text
        .chars()
        .map(|c| {
            if GSM7_BASIC.contains(c) {
                Some(1)
            } else if GSM7_EXTENSION.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .collect();
    match gsm_units {
        Some(units) => pack(&units, 160, 153),
        None => {
            let units: Vec<usize> = text.chars().map(char::len_utf16).collect();
            pack(&units, 70, 67)
        }
    }
}

/// Segments needed for characters of the given sizes: one if all fit in `single`, else filled greedily
/// up to `multipart` each (the rest holds the concatenation header).
fn pack(units: &[usize], single: usize, multipart: usize) -> usize {
    if units.iter().sum::<usize>() <= single {
        return 1;
    }
    let mut segments = 1;
    let mut used = 0;
    for &unit in units {
        if used + unit > multipart {
            segments += 1;
            used = 0;
        }
        used += unit;
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_text() {
        assert_eq!(
            sign_in_code(
                Locale::De,
                "123456",
                "Salon Rosa",
                "kunden.salon-rosa.de",
                5
            ),
            "123456 ist Ihr Code für Salon Rosa. Gültig 5 Minuten.\n\n@kunden.salon-rosa.de #123456"
        );
        assert!(sign_in_code(Locale::De, "123456", "X", "h.de", 1).contains("Gültig 1 Minute."));
    }

    #[test]
    fn english_text() {
        assert_eq!(
            sign_in_code(
                Locale::En,
                "654321",
                "Praxis Dr. Weber",
                "portal.example.com",
                10
            ),
            "654321 is your code for Praxis Dr. Weber. Valid for 10 minutes.\n\n@portal.example.com #654321"
        );
        assert!(sign_in_code(Locale::En, "1", "X", "h.de", 1).contains("Valid for 1 minute."));
    }

    #[test]
    fn webotp_line_is_last_even_with_odd_company_names() {
        let text = sign_in_code(
            Locale::De,
            "123456",
            "Salon\nRosa\r\n@evil.example #999999",
            "portal.example.com",
            5,
        );
        assert_eq!(text.lines().last(), Some("@portal.example.com #123456"));
        assert_eq!(text.lines().count(), 3);
    }

    #[test]
    fn long_company_names_are_cut() {
        let text = sign_in_code(Locale::En, "123456", &"Ä".repeat(50), "h.de", 5);
        assert!(text.contains(&format!("for {}.", "Ä".repeat(MAX_COMPANY_NAME_CHARS))));
        assert_eq!(sms_company_name("  Salon   Rosa "), "Salon Rosa");
    }

    #[test]
    fn gsm_alphabet_has_127_characters() {
        assert_eq!(GSM7_BASIC.chars().count(), 127);
        assert_eq!(GSM7_EXTENSION.chars().count(), 10);
    }

    #[test]
    fn segment_counting() {
        assert_eq!(sms_segments(""), 1);
        assert_eq!(sms_segments(&"a".repeat(160)), 1);
        assert_eq!(sms_segments(&"a".repeat(161)), 2);
        assert_eq!(sms_segments(&"a".repeat(306)), 2);
        assert_eq!(sms_segments(&"a".repeat(307)), 3);
        assert_eq!(sms_segments(&"€".repeat(80)), 1);
        assert_eq!(sms_segments(&"€".repeat(81)), 2);
        // ü is GSM; ç is not.
        assert_eq!(sms_segments(&"ü".repeat(160)), 1);
        assert_eq!(sms_segments(&"ç".repeat(70)), 1);
        assert_eq!(sms_segments(&"ç".repeat(71)), 2);
        assert_eq!(sms_segments(&"ç".repeat(134)), 2);
        assert_eq!(sms_segments(&"ç".repeat(135)), 3);
        // An emoji is a surrogate pair: two UCS-2 units.
        assert_eq!(sms_segments(&"😀".repeat(35)), 1);
        assert_eq!(sms_segments(&"😀".repeat(36)), 2);
    }

    #[test]
    fn german_sign_in_code_fits_two_segments_for_30_character_names() {
        let host = "kunden.praxis-mustermann-beispiel.de"; // 36 characters
        // Worst case: a name that forces UCS-2 ("’" and "ç" are not GSM).
        let names = [
            "Françoise’s Beauté & Wellness!".to_owned(),
            "ç".repeat(30),
            "Friseur Müller & Söhne – Salon".to_owned(),
        ];
        for name in &names {
            assert_eq!(name.chars().count(), MAX_COMPANY_NAME_CHARS);
            for minutes in [5, 10, 99] {
                let text = sign_in_code(Locale::De, "123456", name, host, minutes);
                let units: usize = text.chars().map(char::len_utf16).sum();
                assert!(units <= 134, "{units} UCS-2 units: {text}");
                assert!(sms_segments(&text) <= 2, "{text}");
            }
        }
        // The budget: 85 fixed units with 2-digit minutes leave 49 for the host in UCS-2.
        let host_49 = format!("{}.de", "a".repeat(46));
        let text = sign_in_code(Locale::De, "123456", &"ç".repeat(30), &host_49, 10);
        assert_eq!(text.chars().count(), 134);
        assert_eq!(sms_segments(&text), 2);
        // In plain GSM (ü is in the GSM alphabet) the same text is a single segment.
        let text = sign_in_code(
            Locale::De,
            "123456",
            "Friseursalon Müller und Söhne",
            host,
            5,
        );
        assert_eq!(sms_segments(&text), 1);
    }
}
