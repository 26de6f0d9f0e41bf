//! What the customer receives about an appointment, in German and English, over each channel:
//! SMS text, email (subject, text, HTML) and a push notification (title, body). Dates and times are
//! passed in already local to the branch (see [`crate::templates::local_date`]).

use portal_domain::Locale;

use crate::templates;

/// What happened to the appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentEvent {
    /// Booked by the business or its phone assistant.
    Booked,
    /// Moved to another time (the facts carry the new one).
    Rescheduled,
    /// Cancelled.
    Cancelled,
    /// It is coming up.
    Reminder,
}

impl AppointmentEvent {
    /// The stored kind of the notification.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Booked => "appointment_booked",
            Self::Rescheduled => "appointment_rescheduled",
            Self::Cancelled => "appointment_cancelled",
            Self::Reminder => "appointment_reminder",
        }
    }
}

/// The facts a message is made of, already in the customer's language and the branch's time.
#[derive(Debug, Clone)]
pub struct AppointmentFacts {
    /// Language.
    pub locale: Locale,
    /// Company name.
    pub company: String,
    /// Service name.
    pub service: String,
    /// Branch name.
    pub branch: String,
    /// Branch address on one line.
    pub address: String,
    /// Local date (`Di. 01.12.2026`).
    pub date: String,
    /// Local time (`10:00`).
    pub time: String,
    /// Short reference (`AB12-CD34`).
    pub reference: String,
    /// Customer's name, if known.
    pub customer_name: Option<String>,
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailContent {
    /// Subject.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
}

/// The SMS text.
pub fn sms(event: AppointmentEvent, f: &AppointmentFacts) -> String {
    let company = templates::sms_company_name(&f.company);
    match (event, f.locale) {
        (AppointmentEvent::Cancelled, _) => {
            templates::appointment_cancelled(f.locale, &f.company, &f.service, &f.date, &f.time)
        }
        (AppointmentEvent::Rescheduled, _) => {
            templates::appointment_rescheduled(f.locale, &f.company, &f.service, &f.date, &f.time)
        }
        (AppointmentEvent::Booked, Locale::De) => format!(
            "{company}: Ihr Termin {} am {} um {} Uhr ist gebucht. Ref. {}",
            f.service, f.date, f.time, f.reference
        ),
        (AppointmentEvent::Booked, Locale::En) => format!(
            "{company}: your appointment {} on {} at {} is booked. Ref. {}",
            f.service, f.date, f.time, f.reference
        ),
        (AppointmentEvent::Reminder, Locale::De) => format!(
            "{company}: Erinnerung an Ihren Termin {} am {} um {} Uhr, {}.",
            f.service, f.date, f.time, f.branch
        ),
        (AppointmentEvent::Reminder, Locale::En) => format!(
            "{company}: reminder of your appointment {} on {} at {}, {}.",
            f.service, f.date, f.time, f.branch
        ),
    }
}

fn headline(event: AppointmentEvent, locale: Locale) -> &'static str {
    match (event, locale) {
        (AppointmentEvent::Booked, Locale::De) => "Ihr Termin ist gebucht",
        (AppointmentEvent::Booked, Locale::En) => "Your appointment is booked",
        (AppointmentEvent::Rescheduled, Locale::De) => "Ihr Termin wurde verschoben",
        (AppointmentEvent::Rescheduled, Locale::En) => "Your appointment was moved",
        (AppointmentEvent::Cancelled, Locale::De) => "Ihr Termin ist storniert",
        (AppointmentEvent::Cancelled, Locale::En) => "Your appointment is cancelled",
        (AppointmentEvent::Reminder, Locale::De) => "Erinnerung an Ihren Termin",
        (AppointmentEvent::Reminder, Locale::En) => "Reminder of your appointment",
    }
}

/// The push notification: title and body.
pub fn push(event: AppointmentEvent, f: &AppointmentFacts) -> (String, String) {
    let when = match f.locale {
        Locale::De => format!("{} am {} um {} Uhr", f.service, f.date, f.time),
        Locale::En => format!("{} on {} at {}", f.service, f.date, f.time),
    };
    (
        format!("{}: {}", f.company, headline(event, f.locale)),
        when,
    )
}

/// The email: subject, text and HTML (every value escaped).
pub fn email(event: AppointmentEvent, f: &AppointmentFacts) -> EmailContent {
    let de = f.locale == Locale::De;
    let greeting = match (&f.customer_name, de) {
        (Some(name), true) => format!("Guten Tag {name},"),
        (None, true) => "Guten Tag,".to_owned(),
        (Some(name), false) => format!("Hello {name},"),
        (None, false) => "Hello,".to_owned(),
    };
    let title = headline(event, f.locale);
    let rows: [(&str, &str); 5] = if de {
        [
            ("Leistung", &f.service),
            ("Datum", &f.date),
            ("Uhrzeit", &f.time),
            ("Ort", &f.branch),
            ("Referenz", &f.reference),
        ]
    } else {
        [
            ("Service", &f.service),
            ("Date", &f.date),
            ("Time", &f.time),
            ("Place", &f.branch),
            ("Reference", &f.reference),
        ]
    };
    let closing = match (event, de) {
        (AppointmentEvent::Cancelled, true) => {
            "Sie können jederzeit einen neuen Termin vereinbaren."
        }
        (AppointmentEvent::Cancelled, false) => {
            "You are welcome to book a new appointment any time."
        }
        (_, true) => "Die Kalenderdatei im Anhang trägt den Termin in Ihren Kalender ein.",
        (_, false) => "The calendar file attached adds the appointment to your calendar.",
    };
    let mut text = format!("{greeting}\n\n{title}.\n\n");
    for (label, value) in rows {
        text.push_str(&format!("{label}: {value}\n"));
    }
    if !f.address.is_empty() {
        text.push_str(&format!("{}\n", f.address));
    }
    text.push_str(&format!("\n{closing}\n\n{}\n", f.company));

    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><body><p>{}</p><h1>{}</h1><table>",
        f.locale.as_str(),
        escape(&greeting),
        escape(title)
    );
    for (label, value) in rows {
        html.push_str(&format!(
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
            escape(label),
            escape(value)
        ));
    }
    html.push_str("</table>");
    if !f.address.is_empty() {
        html.push_str(&format!("<p>{}</p>", escape(&f.address)));
    }
    html.push_str(&format!(
        "<p>{}</p><p>{}</p></body></html>",
        escape(closing),
        escape(&f.company)
    ));
    EmailContent {
        subject: format!("{}: {}", f.company, title),
        text,
        html,
    }
}

/// The email that confirms a new address: subject and text with the 6-digit code.
pub fn email_code(locale: Locale, code: &str, company: &str) -> (String, String) {
    match locale {
        Locale::De => (
            format!("Ihre neue E-Mail-Adresse bei {company}"),
            format!(
                "{code} ist Ihr Code, um diese E-Mail-Adresse bei {company} zu bestätigen. Er ist 30 Minuten gültig. Wenn Sie das nicht waren, ignorieren Sie diese Nachricht."
            ),
        ),
        Locale::En => (
            format!("Your new email address at {company}"),
            format!(
                "{code} is your code to confirm this email address at {company}. It is valid for 30 minutes. If this was not you, ignore this message."
            ),
        ),
    }
}

/// How a code looks in the message history.
pub const CODE_MASK: &str = "••••••";

/// `text` with every code (a run of exactly six digits) replaced by dots: how a sent code message
/// stays in the history.
pub fn mask_codes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() == 6 {
            out.push_str(CODE_MASK);
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Email HTML made safe to show inside the portal: no scripts, styles, event handlers, forms or
/// remote resources (ammonia's allow-list; links get `rel="noopener noreferrer"`).
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .rm_tags(["img"])
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(locale: Locale) -> AppointmentFacts {
        AppointmentFacts {
            locale,
            company: "Praxis <Weber>".into(),
            service: "Kontrolle".into(),
            branch: "Mitte".into(),
            address: "Torstraße 1, 10119 Berlin".into(),
            date: "Di. 01.12.2026".into(),
            time: "10:00".into(),
            reference: "AB12-CD34".into(),
            customer_name: Some("Anna".into()),
        }
    }

    #[test]
    fn every_event_in_both_languages() {
        for event in [
            AppointmentEvent::Booked,
            AppointmentEvent::Rescheduled,
            AppointmentEvent::Cancelled,
            AppointmentEvent::Reminder,
        ] {
            for locale in [Locale::De, Locale::En] {
                let f = facts(locale);
                assert!(sms(event, &f).contains("10:00"), "{event:?}");
                let mail = email(event, &f);
                assert!(mail.text.contains("Di. 01.12.2026"));
                assert!(mail.html.contains("Praxis &lt;Weber&gt;"), "escaped");
                assert!(!mail.html.contains("<Weber>"));
                let (title, body) = push(event, &f);
                assert!(title.starts_with("Praxis <Weber>"));
                assert!(body.contains("10:00"));
            }
        }
        assert!(
            email(AppointmentEvent::Reminder, &facts(Locale::De))
                .subject
                .contains("Erinnerung")
        );
        assert!(
            email(AppointmentEvent::Reminder, &facts(Locale::En))
                .subject
                .contains("Reminder")
        );
    }

    #[test]
    fn sanitizer_removes_scripts_and_handlers() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script><img src="https://t.example/p.gif"><a href="javascript:alert(1)">x</a></p>"#;
        let clean = sanitize_html(dirty);
        assert!(!clean.contains("script"));
        assert!(!clean.contains("onclick"));
        assert!(!clean.contains("javascript"));
        assert!(!clean.contains("img"));
        assert!(clean.contains("Hi"));
    }

    #[test]
    fn email_codes_carry_the_code_in_both_languages() {
        for locale in [Locale::De, Locale::En] {
            let (subject, text) = email_code(locale, "123456", "Praxis Dr. Weber");
            assert!(subject.contains("Praxis Dr. Weber"), "{subject}");
            assert!(text.starts_with("123456 "), "{text}");
        }
    }

    #[test]
    fn codes_are_masked_and_other_numbers_kept() {
        assert_eq!(
            mask_codes("123456 ist Ihr Code, 30 Minuten, Ref. 1234567"),
            "•••••• ist Ihr Code, 30 Minuten, Ref. 1234567"
        );
        assert_eq!(mask_codes("Code: 000111"), "Code: ••••••");
    }
}
