//! The report form and its receipt. Anyone may report (signed in or not):
//! what is reported is quoted, a reason comes from the moderation policy,
//! a note is optional, and a visitor may leave a name and an address to
//! hear the outcome. Works without JavaScript.

use maud::{html, Markup};

use crate::account::Common;
use crate::forms::{csrf, error_for, error_text, field, full_page, Field};

/// The longest note, in characters (the server checks it too).
pub const NOTE_MAX: u32 = 2000;

pub struct ReportForm<'a> {
    /// `annotation`, `post` or `user`, and its id: sent back as they are.
    pub kind: &'a str,
    pub id: i64,
    /// What is reported, as the reader knows it ("Panchine rotte").
    pub what: &'a str,
    /// Where it is shown, to go back.
    pub back: &'a str,
    /// The policy's reasons: (id, Italian, English).
    pub reasons: &'a [(&'a str, &'a str, &'a str)],
    /// The form as it was sent, when it comes back with errors.
    pub chosen: &'a str,
    pub note: &'a str,
    /// Without an account: ask for an optional name and address.
    pub visitor: bool,
    pub name: &'a str,
    pub email: &'a str,
}

pub fn report_form(c: &Common, f: &ReportForm) -> Markup {
    let l = c.lang;
    let error = error_for(c, "reason");
    full_page(
        c,
        l.pick("Segnala un contenuto", "Report content"),
        html! { p { a href=(f.back) { (l.pick("← Torna indietro", "← Go back")) } } },
        &["reason", "note", "name", "email"],
        html! {
            p { (l.pick("Stai segnalando: ", "You are reporting: ")) strong { (f.what) } }
            p { (l.pick(
                "Una persona del gruppo di moderazione leggerà la segnalazione e deciderà; ti diremo com'è andata.",
                "A moderator will read the report and decide; you will be told the outcome."
            )) }
            form class="stack" method="post" action="/segnala" {
                (csrf(c))
                input type="hidden" name="kind" value=(f.kind);
                input type="hidden" name="id" value=(f.id);
                fieldset aria-describedby=[error.map(|_| "field-reason-error")] {
                    legend { (l.pick("Motivo", "Reason")) }
                    @if let Some(message) = error { (error_text("field-reason-error", l, message)) }
                    @for (n, (id, it, en)) in f.reasons.iter().enumerate() {
                        @let input_id = if n == 0 { "field-reason".to_string() } else { format!("field-reason-{id}") };
                        div class="choice" {
                            input type="radio" id=(input_id) name="reason" value=(id) required checked[*id == f.chosen];
                            label for=(input_id) { (l.pick(it, en)) }
                        }
                    }
                }
                (field(Field::keyed(c, "note", l.pick("Nota", "Note")).textarea(4).value(f.note).max(NOTE_MAX).optional()
                    .hint(l.pick("Che cosa non va, se vuoi dirlo.", "What is wrong, if you want to say."))))
                @if f.visitor {
                    (field(Field::keyed(c, "name", l.pick("Il tuo nome", "Your name")).value(f.name).max(100).auto("name").optional()))
                    (field(Field::keyed(c, "email", l.pick("Il tuo indirizzo e-mail", "Your e-mail address")).kind("email").value(f.email).auto("email").optional()
                        .hint(l.pick("Solo per dirti com'è andata; non è mostrato a nessuno.", "Only to tell you the outcome; it is shown to no one."))))
                }
                button type="submit" { (l.pick("Invia la segnalazione", "Send the report")) }
            }
        },
    )
}

/// The report was received.
pub fn report_received(c: &Common, back: &str) -> Markup {
    let l = c.lang;
    full_page(
        c,
        l.pick("Segnalazione ricevuta", "Report received"),
        html! {},
        &[],
        html! {
            p { (l.pick(
                "Grazie. Una persona del gruppo di moderazione la esaminerà e deciderà secondo le regole pubblicate.",
                "Thank you. A moderator will look at it and decide by the published rules."
            )) }
            p { a href=(back) { (l.pick("Torna al contenuto", "Back to the content")) } }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::FieldError;
    use crate::i18n::Lang;

    const REASONS: [(&str, &str, &str); 2] = [
        ("spam", "Pubblicità o spam", "Advertising or spam"),
        ("illegal_content", "Contenuto illegale", "Illegal content"),
    ];

    fn form(visitor: bool) -> ReportForm<'static> {
        ReportForm {
            kind: "annotation",
            id: 7,
            what: "Panchine <rotte>",
            back: "/annotazioni/7",
            reasons: &REASONS,
            chosen: "illegal_content",
            note: "",
            visitor,
            name: "",
            email: "",
        }
    }

    #[test]
    fn the_form_sends_what_and_why_and_asks_visitors_only_for_a_contact() {
        let c = Common {
            lang: Lang::It,
            csrf: "TOKEN",
            here: "/segnala",
            notice: None,
            errors: &[],
        };
        let html = report_form(&c, &form(true)).into_string();
        assert!(
            html.contains(r#"<input type="hidden" name="csrf" value="TOKEN">"#),
            "{html}"
        );
        assert!(html.contains(r#"name="kind" value="annotation""#));
        assert!(html.contains(r#"name="id" value="7""#));
        assert!(
            html.contains("Panchine &lt;rotte&gt;"),
            "the quote is escaped"
        );
        assert!(
            html.contains(r#"value="illegal_content" required checked"#),
            "{html}"
        );
        assert!(html.contains(r#"for="field-reason""#));
        assert!(html.contains(r#"name="email""#) && html.contains(r#"name="name""#));
        let signed_in = report_form(&c, &form(false)).into_string();
        assert!(!signed_in.contains(r#"name="email""#));
    }

    #[test]
    fn a_missing_reason_is_named_and_linked() {
        let errors = [FieldError {
            field: "reason",
            message: "Scegli un motivo dall'elenco.".into(),
        }];
        let c = Common {
            lang: Lang::En,
            csrf: "TOKEN",
            here: "/segnala",
            notice: None,
            errors: &errors,
        };
        let html = report_form(&c, &form(false)).into_string();
        assert!(html.contains(r##"href="#field-reason""##), "{html}");
        assert!(html.contains(r#"aria-describedby="field-reason-error""#));
        assert!(html.contains("<title>Error: Report content"), "{html}");
    }
}
