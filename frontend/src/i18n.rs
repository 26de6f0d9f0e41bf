//! German and English texts. The language comes from the customer's choice (kept in
//! localStorage), else the browser, else German; every text exists in both languages because the
//! table is one `match` the compiler checks for completeness.

use portal_api_types::ErrorCode;

/// A language of the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Deutsch.
    De,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }

    /// Reads a tag such as `en-GB`; anything but English is German (the portal's home market).
    pub fn from_tag(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("en") {
            Self::En
        } else {
            Self::De
        }
    }

    /// The first of `tags` (the browser's preferences) the portal speaks, else German.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Self {
        tags.into_iter()
            .find_map(
                |t| match t.get(..2).map(str::to_ascii_lowercase).as_deref() {
                    Some("de") => Some(Self::De),
                    Some("en") => Some(Self::En),
                    _ => None,
                },
            )
            .unwrap_or(Self::De)
    }
}

macro_rules! texts {
    ($($key:ident => $de:expr, $en:expr;)*) => {
        /// Every text of the interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs, reason = "the names say it")]
        pub enum T { $($key),* }

        impl T {
            /// The text in `lang`.
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Self::$key, Lang::De) => $de, (Self::$key, Lang::En) => $en,)*
                }
            }

            /// Every key (tests check none is empty).
            pub const ALL: &'static [T] = &[$(Self::$key),*];
        }
    };
}

texts! {
    AppName => "Kundenportal", "Customer portal";
    Loading => "Wird geladen …", "Loading …";
    Offline => "Sie sind offline. Angezeigt werden zuletzt geladene Daten.", "You are offline. Showing the data loaded last.";
    OfflineNothing => "Keine Verbindung, und hierzu ist nichts gespeichert.", "No connection, and nothing is saved for this.";
    Retry => "Erneut versuchen", "Try again";
    SignIn => "Anmelden", "Sign in";
    SignInIntro => "Melden Sie sich mit Ihrer Mobilnummer an. Wir senden Ihnen einen Code per SMS.", "Sign in with your mobile number. We will text you a code.";
    Phone => "Mobilnummer", "Mobile number";
    SendCode => "Code senden", "Send code";
    Code => "Code aus der SMS", "Code from the SMS";
    CodeSentTo => "Code gesendet an", "Code sent to";
    Confirm => "Bestätigen", "Confirm";
    Resend => "Neuen Code senden", "Send a new code";
    ResendIn => "Neuer Code möglich in", "New code possible in";
    Seconds => "s", "s";
    OtherNumber => "Andere Nummer", "Different number";
    SessionExpired => "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "Your session has expired. Please sign in again.";
    UnknownCompany => "Diese Adresse gehört zu keinem Unternehmen. Bitte nutzen Sie den Link aus Ihrer SMS.", "This address belongs to no company. Please use the link from your SMS.";
    Appointments => "Termine", "Appointments";
    Upcoming => "Bevorstehend", "Upcoming";
    Past => "Vergangen", "Past";
    NoUpcoming => "Keine bevorstehenden Termine.", "No upcoming appointments.";
    NoPast => "Keine vergangenen Termine.", "No past appointments.";
    With => "bei", "with";
    Details => "Details", "Details";
    Back => "Zurück", "Back";
    Status => "Status", "Status";
    StatusBooked => "Gebucht", "Booked";
    StatusConfirmed => "Bestätigt", "Confirmed";
    StatusCancelled => "Abgesagt", "Cancelled";
    StatusCompleted => "Wahrgenommen", "Completed";
    StatusNoShow => "Nicht erschienen", "Missed";
    Reference => "Buchungsnummer", "Reference";
    Where => "Ort", "Where";
    TimeZone => "Zeitzone", "Time zone";
    Cancel => "Termin absagen", "Cancel appointment";
    CancelReason => "Grund (optional)", "Reason (optional)";
    CancelConfirm => "Verbindlich absagen", "Cancel for good";
    CancelPolicy => "Online absagen ist möglich bis", "You can cancel online until";
    CancelClosed => "Online absagen ist nicht mehr möglich. Bitte rufen Sie an:", "It is too late to cancel online. Please call:";
    Cancelled => "Der Termin wurde abgesagt.", "The appointment was cancelled.";
    Keep => "Termin behalten", "Keep appointment";
    Reschedule => "Termin verschieben", "Reschedule";
    ReschedulePolicy => "Online verschieben ist möglich bis", "You can reschedule online until";
    RescheduleClosed => "Online verschieben ist nicht mehr möglich. Bitte rufen Sie an:", "It is too late to reschedule online. Please call:";
    ChooseDay => "Tag wählen", "Choose a day";
    ChooseTime => "Uhrzeit wählen", "Choose a time";
    NoSlots => "Keine freien Zeiten in diesem Zeitraum.", "No free times in this period.";
    LaterDays => "Spätere Tage", "Later days";
    AnyStaff => "Auch bei anderen Mitarbeitenden", "With other staff too";
    MoveTo => "Verschieben auf", "Move to";
    Rescheduled => "Der Termin wurde verschoben.", "The appointment was moved.";
    Downloads => "Bestätigung", "Confirmation";
    DownloadIcs => "Kalenderdatei (ICS)", "Calendar file (ICS)";
    DownloadPdf => "Bestätigung (PDF)", "Confirmation (PDF)";
    GoogleCalendar => "Zu Google Kalender hinzufügen", "Add to Google Calendar";
    History => "Verlauf", "History";
    HistBooked => "Gebucht", "Booked";
    HistRescheduled => "Verschoben", "Rescheduled";
    HistCancelled => "Abgesagt", "Cancelled";
    HistChanged => "Status geändert", "Status changed";
    ByCustomer => "von Ihnen", "by you";
    ByBusiness => "vom Unternehmen", "by the business";
    Profile => "Profil", "Profile";
    Name => "Name", "Name";
    Email => "E-Mail", "Email";
    Language => "Sprache", "Language";
    Save => "Speichern", "Save";
    Saved => "Gespeichert.", "Saved.";
    Devices => "Geräte", "Devices";
    ThisDevice => "Dieses Gerät", "This device";
    UnknownDevice => "Unbekanntes Gerät", "Unknown device";
    SignedInAt => "Angemeldet", "Signed in";
    LastUsed => "Zuletzt aktiv", "Last active";
    SignOutDevice => "Abmelden", "Sign out";
    SignOutOthers => "Alle anderen Geräte abmelden", "Sign out all other devices";
    SignOut => "Abmelden", "Sign out";
    Menu => "Hauptmenü", "Main menu";
    More => "Mehr", "More";
    SwitchLanguage => "Sprache wechseln", "Switch language";
    ErrGeneric => "Das hat nicht geklappt. Bitte versuchen Sie es erneut.", "That did not work. Please try again.";
    ErrInvalidPhone => "Bitte geben Sie eine gültige Mobilnummer ein.", "Please enter a valid mobile number.";
    ErrCountry => "Nummern aus diesem Land werden hier nicht unterstützt.", "Numbers from this country are not supported here.";
    ErrInvalidCode => "Der Code stimmt nicht.", "The code is not correct.";
    ErrAttemptsLeft => "Verbleibende Versuche:", "Attempts left:";
    ErrCodeExpired => "Der Code ist abgelaufen. Bitte fordern Sie einen neuen an.", "The code has expired. Please request a new one.";
    ErrLocked => "Zu viele Fehlversuche. Bitte warten Sie, bevor Sie es erneut versuchen.", "Too many failed attempts. Please wait before trying again.";
    ErrTooSoon => "Bitte warten Sie kurz, bevor Sie einen neuen Code anfordern.", "Please wait a moment before requesting a new code.";
    ErrRateLimited => "Zu viele Anfragen. Bitte versuchen Sie es später erneut.", "Too many requests. Please try again later.";
    ErrUnavailable => "Der Dienst ist kurz nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.", "The service is briefly unavailable. Please try again shortly.";
    ErrAlreadyCancelled => "Dieser Termin ist bereits abgesagt.", "This appointment is already cancelled.";
    ErrInPast => "Dieser Termin hat bereits begonnen.", "This appointment has already started.";
    ErrNotActive => "Dieser Termin kann nicht mehr geändert werden.", "This appointment can no longer change.";
    ErrSlotTaken => "Diese Zeit ist leider nicht mehr frei. Bitte wählen Sie eine andere.", "That time is no longer free. Please choose another.";
    ErrConflict => "Der Termin wurde inzwischen geändert. Bitte laden Sie die Seite neu.", "The appointment changed meanwhile. Please reload.";
    ErrNotFound => "Nicht gefunden.", "Not found.";
    ErrValidation => "Bitte prüfen Sie Ihre Eingaben.", "Please check your input.";
    ErrDeadline => "Frist:", "Deadline:";
    CallUs => "Telefon:", "Phone:";
    Preferences => "Benachrichtigungen", "Notifications";
    PreferencesIntro => "Wählen Sie, worüber wir Sie auf welchem Weg informieren dürfen.", "Choose what we may tell you about, and how.";
    ChannelSms => "SMS", "Text message";
    ChannelEmail => "E-Mail", "Email";
    ChannelPush => "Push-Mitteilung", "Push notification";
    PurposeTransactional => "Bestätigungen und Änderungen", "Confirmations and changes";
    PurposeReminders => "Erinnerungen", "Reminders";
    PurposeMarketing => "Angebote und Neuigkeiten", "Offers and news";
    PushTitle => "Mitteilungen auf diesem Gerät", "Notifications on this device";
    PushUnsupported => "Dieser Browser kann keine Mitteilungen empfangen.", "This browser cannot receive notifications.";
    PushBlocked => "Mitteilungen sind in den Einstellungen des Browsers blockiert. Erlauben Sie sie dort, dann können Sie sie hier einschalten.", "Notifications are blocked in your browser's settings. Allow them there, then you can turn them on here.";
    PushOff => "Aus: Dieses Gerät bekommt keine Mitteilungen.", "Off: this device gets no notifications.";
    PushOn => "An: Dieses Gerät bekommt Mitteilungen zu Ihren Terminen.", "On: this device gets notifications about your appointments.";
    PushTurnOn => "Einschalten", "Turn on";
    PushTurnOff => "Ausschalten", "Turn off";
    PushDismissed => "Mitteilungen wurden nicht erlaubt.", "Notifications were not allowed.";
    PushSubscribeFailed => "Dieses Gerät konnte nicht für Mitteilungen angemeldet werden: Der Browser erreicht keinen Push-Dienst. Versuchen Sie es später noch einmal; SMS und E-Mail kommen weiterhin an.", "This device could not be signed up for notifications: the browser cannot reach a push service. Please try again later; texts and emails still arrive.";
    Privacy => "Datenschutz", "Privacy";
    ExportTitle => "Ihre Daten herunterladen", "Download your data";
    ExportIntro => "Eine Datei (JSON) mit allem, was wir über Sie gespeichert haben.", "A file (JSON) with everything we store about you.";
    ExportButton => "Daten herunterladen", "Download data";
    DeleteTitle => "Konto löschen", "Delete account";
    DeleteIntro => "Löscht Ihre persönlichen Daten endgültig. Termine, die das Unternehmen aufbewahren muss, bleiben ohne Ihren Namen erhalten.", "Deletes your personal data for good. Appointments the business must keep remain without your name.";
    DeleteConfirmLabel => "Ich möchte mein Konto endgültig löschen.", "I want to delete my account for good.";
    DeleteButton => "Konto endgültig löschen", "Delete account for good";
    Deleted => "Ihr Konto wurde gelöscht.", "Your account was deleted.";
    ReauthNeeded => "Aus Sicherheitsgründen bitte erneut anmelden (die letzte Anmeldung ist über 10 Minuten her).", "For your security, please sign in again (your last sign-in was more than 10 minutes ago).";
    Messages => "Nachrichten", "Messages";
    MessagesIntro => "Alle SMS, E-Mails und Push-Mitteilungen, die wir Ihnen gesendet haben.", "Every text message, email and push notification we sent you.";
    AllChannels => "Alle", "All";
    FilterChannel => "Nach Kanal filtern", "Filter by channel";
    NoMessages => "Keine Nachrichten.", "No messages.";
    Unread => "ungelesen", "unread";
    UnreadMessages => "Ungelesene Nachrichten:", "Unread messages:";
    SentTo => "An", "To";
    MsgQueued => "Wartet auf Versand", "Queued";
    MsgSent => "Gesendet", "Sent";
    MsgDelivered => "Zugestellt", "Delivered";
    MsgFailed => "Fehlgeschlagen", "Failed";
    MsgSkipped => "Nicht gesendet", "Not sent";
    Open => "Öffnen", "Open";
    Support => "Support", "Support";
    SupportIntro => "Schreiben Sie uns. Antworten erscheinen hier automatisch.", "Write to us. Replies appear here automatically.";
    NoSupportMessages => "Noch keine Nachrichten.", "No messages yet.";
    YourMessage => "Ihre Nachricht", "Your message";
    Send => "Senden", "Send";
    You => "Sie", "You";
    Team => "Team", "Team";
    SignInAgain => "Erneut anmelden", "Sign in again";
    MedicalHistory => "Anamnese", "Medical history";
    MedicalIntro => "Halten Sie Ihre Angaben für die Praxis aktuell. Sie werden verschlüsselt gespeichert; jede frühere Fassung bleibt einsehbar.", "Keep your details current for the practice. They are stored encrypted; every earlier version stays viewable.";
    MedicalConsentTitle => "Einwilligung", "Consent";
    MedicalConsentText => "Ich willige ein, dass die Praxis meine Gesundheitsangaben speichert und verarbeitet (Art. 9 DSGVO). Ich kann die Einwilligung jederzeit widerrufen.", "I consent to the practice storing and processing my health details (Art. 9 GDPR). I can withdraw this consent at any time.";
    MedicalConsentGive => "Einwilligen", "Give consent";
    MedicalConsentWithdraw => "Einwilligung widerrufen", "Withdraw consent";
    MedicalConsentSince => "Eingewilligt am", "Consent given on";
    Allergies => "Allergien", "Allergies";
    Medications => "Medikamente", "Medications";
    Conditions => "Vorerkrankungen", "Pre-existing conditions";
    Insurance => "Krankenversicherung", "Health insurance";
    InsuranceNumber => "Versichertennummer", "Insurance number";
    EmergencyContact => "Notfallkontakt", "Emergency contact";
    Relationship => "Beziehung", "Relationship";
    Notes => "Weitere Hinweise", "Further notes";
    MaxChars => "Höchstens Zeichen:", "At most characters:";
    Versions => "Frühere Fassungen", "Earlier versions";
    Version => "Fassung", "Version";
    NoVersions => "Noch keine Fassung gespeichert.", "No version saved yet.";
    WrittenByYou => "von Ihnen", "by you";
    WrittenByStaff => "von der Praxis", "by the practice";
    Show => "Anzeigen", "Show";
    Current => "aktuell", "current";
    ChangePhone => "Mobilnummer ändern", "Change mobile number";
    NewPhone => "Neue Mobilnummer", "New mobile number";
    PhoneChanged => "Ihre Mobilnummer wurde geändert.", "Your mobile number was changed.";
    ErrPhoneTaken => "Diese Nummer gehört bereits zu einem anderen Kundenkonto.", "This number already belongs to another customer account.";
    SkipToContent => "Zum Inhalt springen", "Skip to content";
    NoCompany => "Bitte öffnen Sie den Link Ihres Unternehmens, z. B. aus einer SMS.", "Please open your company's link, e.g. from a text message.";
}

/// The customer-facing message for an error code.
pub fn error_text(code: ErrorCode) -> T {
    match code {
        ErrorCode::InvalidPhone => T::ErrInvalidPhone,
        ErrorCode::CountryNotAllowed => T::ErrCountry,
        ErrorCode::InvalidCode => T::ErrInvalidCode,
        ErrorCode::CodeExpired => T::ErrCodeExpired,
        ErrorCode::PhoneLocked => T::ErrLocked,
        ErrorCode::ResendTooSoon => T::ErrTooSoon,
        ErrorCode::RateLimited => T::ErrRateLimited,
        ErrorCode::ServiceUnavailable => T::ErrUnavailable,
        ErrorCode::CancellationWindowClosed => T::CancelClosed,
        ErrorCode::RescheduleWindowClosed => T::RescheduleClosed,
        ErrorCode::AlreadyCancelled => T::ErrAlreadyCancelled,
        ErrorCode::AppointmentInPast => T::ErrInPast,
        ErrorCode::AppointmentNotActive => T::ErrNotActive,
        ErrorCode::SlotUnavailable => T::ErrSlotTaken,
        ErrorCode::Conflict => T::ErrConflict,
        ErrorCode::NotFound => T::ErrNotFound,
        ErrorCode::ValidationFailed => T::ErrValidation,
        ErrorCode::ReauthRequired => T::ReauthNeeded,
        ErrorCode::PhoneTaken => T::ErrPhoneTaken,
        ErrorCode::Unauthorized | ErrorCode::InvalidRefreshToken => T::SessionExpired,
        _ => T::ErrGeneric,
    }
}

const WEEKDAYS: [[&str; 7]; 2] = [
    ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
];

/// `Di 01.12.2026` / `Tue 01/12/2026` from an RFC 3339 time with the branch's offset (the
/// offset is kept: the portal shows the branch's local time without a time-zone database).
/// Formats the fields itself: chrono's strftime machinery would add ~20 KB to the wasm.
pub fn date(lang: Lang, rfc3339: &str) -> String {
    use chrono::Datelike;
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => {
            let day = WEEKDAYS[lang as usize][t.weekday().num_days_from_monday() as usize];
            let sep = match lang {
                Lang::De => '.',
                Lang::En => '/',
            };
            format!("{day} {:02}{sep}{:02}{sep}{}", t.day(), t.month(), t.year())
        }
        Err(_) => rfc3339.to_owned(),
    }
}

/// `14:30` in the branch's local time.
pub fn time(rfc3339: &str) -> String {
    use chrono::Timelike;
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| format!("{:02}:{:02}", t.hour(), t.minute()))
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// Date and time together.
pub fn date_time(lang: Lang, rfc3339: &str) -> String {
    format!("{}, {}", date(lang, rfc3339), time(rfc3339))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages() {
        for key in T::ALL {
            assert!(!key.get(Lang::De).is_empty(), "{key:?} de");
            assert!(!key.get(Lang::En).is_empty(), "{key:?} en");
        }
    }

    #[test]
    fn browser_languages_pick_the_first_supported() {
        assert_eq!(Lang::negotiate(["fr-FR", "en-GB", "de"]), Lang::En);
        assert_eq!(Lang::negotiate(["de-AT"]), Lang::De);
        assert_eq!(Lang::negotiate(["fr"]), Lang::De);
    }

    #[test]
    fn times_stay_in_the_branch_offset() {
        let t = "2026-12-01T10:05:00+01:00";
        assert_eq!(date_time(Lang::De, t), "Di 01.12.2026, 10:05");
        assert_eq!(date(Lang::En, t), "Tue 01/12/2026");
        assert_eq!(time("2026-07-01T10:05:00+02:00"), "10:05");
    }
}
