//! The moderators' queue and the public moderation log, as pages that work
//! without JavaScript. The queue lists what waits (held or reported), with
//! the reports' reasons, notes and the text as it was reported, and what
//! the content screen found; each item has its decision form (an action
//! and a required reason). The log shows what was done, to what and why,
//! never who reported it.

use maud::{html, Markup};

use crate::account::Common;
use crate::forms::{csrf, full_page};

/// One report of a queued item, as the moderator reads it.
pub struct ReportLine<'a> {
    /// The reason's label in the reader's language.
    pub reason: &'a str,
    pub note: &'a str,
    /// The text as it was when reported.
    pub snapshot: &'a str,
    pub when: &'a str,
}

/// One item waiting for a moderator.
pub struct QueueEntry<'a> {
    /// `annotation` or `post` (content), or `user`.
    pub kind: &'a str,
    pub id: i64,
    /// Where it is shown.
    pub href: String,
    /// Its title or the start of its text.
    pub label: &'a str,
    /// `held`, `visible`, ... for content.
    pub held: bool,
    pub open_weight: u32,
    pub reports: Vec<ReportLine<'a>>,
    /// What the content screen found, in the reader's language.
    pub held_for: Vec<&'a str>,
}

fn kind_label(l: crate::i18n::Lang, kind: &str) -> &'static str {
    match kind {
        "annotation" => l.pick("Annotazione", "Annotation"),
        "post" => l.pick("Messaggio", "Post"),
        "user" => l.pick("Utente", "User"),
        _ => l.pick("Contenuto", "Content"),
    }
}

pub fn queue(c: &Common, entries: &[QueueEntry]) -> Markup {
    let l = c.lang;
    full_page(
        c,
        l.pick("Coda di moderazione", "Moderation queue"),
        html! {},
        &[],
        html! {
            p { a href="/moderazione/registro" { (l.pick("Registro pubblico della moderazione", "Public moderation log")) } }
            @if entries.is_empty() {
                p class="empty" { (l.pick("Niente da esaminare.", "Nothing to review.")) }
            }
            ol class="queue" {
                @for e in entries {
                    li id={ "queue-" (e.kind) "-" (e.id) } {
                        article {
                            h2 {
                                (kind_label(l, e.kind)) " "
                                a href=(e.href) { (e.label) }
                            }
                            p class="meta" {
                                @if e.held { strong { (l.pick("Trattenuto", "Held")) } " · " }
                                (e.reports.len()) " " (l.pick("segnalazioni aperte", "open reports"))
                                " · " (l.pick("peso ", "weight ")) (e.open_weight)
                            }
                            @if !e.held_for.is_empty() {
                                ul class="held-for" { @for f in &e.held_for { li { (f) } } }
                            }
                            @if !e.reports.is_empty() {
                                ul class="reports" {
                                    @for r in &e.reports {
                                        li {
                                            strong { (r.reason) } " · " (r.when)
                                            @if !r.note.is_empty() { p { (r.note) } }
                                            blockquote class="snapshot" { (r.snapshot) }
                                        }
                                    }
                                }
                            }
                            @if e.kind != "user" {
                                @let base = format!("decision-{}-{}", e.kind, e.id);
                                form class="stack decision" method="post" action="/moderazione/decisioni" {
                                    (csrf(c))
                                    input type="hidden" name="kind" value=(e.kind);
                                    input type="hidden" name="id" value=(e.id);
                                    fieldset {
                                        legend { (l.pick("Decisione", "Decision")) }
                                        @for (value, it, en) in [
                                            ("approve", "Approva e pubblica", "Approve and publish"),
                                            ("remove", "Rimuovi", "Remove"),
                                            ("restore", "Ripristina", "Restore"),
                                            ("hold", "Trattieni", "Hold"),
                                        ] {
                                            @let id = format!("{base}-{value}");
                                            div class="choice" {
                                                input type="radio" id=(id) name="action" value=(value) required;
                                                label for=(id) { (l.pick(it, en)) }
                                            }
                                        }
                                    }
                                    @let reason = format!("{base}-reason");
                                    label for=(reason) { (l.pick("Motivo (lo leggono l'autore e il registro pubblico)", "Reason (the author and the public log read it)")) }
                                    textarea id=(reason) name="reason" rows="2" maxlength="500" required {}
                                    button type="submit" { (l.pick("Decidi", "Decide")) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// One entry of the public log.
pub struct LogLine<'a> {
    pub when: &'a str,
    /// `hold`, `approve`, `remove`, `restore`, ...
    pub action: &'a str,
    pub kind: &'a str,
    pub id: i64,
    pub reason: &'a str,
    /// A rule acted (reports, the screen), not a person.
    pub by_system: bool,
}

fn action_label(l: crate::i18n::Lang, action: &str) -> &'static str {
    match action {
        "hold" => l.pick("Trattenuto", "Held"),
        "approve" => l.pick("Approvato", "Approved"),
        "remove" => l.pick("Rimosso", "Removed"),
        "restore" => l.pick("Ripristinato", "Restored"),
        "lock" => l.pick("Discussione chiusa", "Discussion locked"),
        "unlock" => l.pick("Discussione riaperta", "Discussion reopened"),
        "warn" => l.pick("Avvertimento", "Warning"),
        "suspend" => l.pick("Sospensione", "Suspension"),
        "ban" => l.pick("Esclusione", "Ban"),
        "unban" => l.pick("Riammissione", "Ban lifted"),
        "redact" => l.pick("Parte del testo rimossa", "Part of the text removed"),
        "purge" => l.pick("Eliminato definitivamente", "Purged"),
        _ => l.pick("Azione", "Action"),
    }
}

pub fn log(c: &Common, lines: &[LogLine], next: Option<i64>) -> Markup {
    let l = c.lang;
    full_page(
        c,
        l.pick("Registro della moderazione", "Moderation log"),
        html! {},
        &[],
        html! {
            p { (l.pick(
                "Ogni decisione di moderazione, con il motivo. Chi ha segnalato non è mai indicato.",
                "Every moderation decision, with its reason. Who reported is never shown."
            )) }
            @if lines.is_empty() {
                p class="empty" { (l.pick("Nessuna decisione finora.", "No decisions so far.")) }
            } @else {
                // On a phone the table scrolls inside its own region, not the page.
                div class="scroll-x" role="region" tabindex="0" aria-label=(l.pick("Decisioni", "Decisions")) {
                table class="log" {
                    caption class="visually-hidden" { (l.pick("Decisioni, dalla più recente", "Decisions, newest first")) }
                    thead { tr {
                        th scope="col" { (l.pick("Quando", "When")) }
                        th scope="col" { (l.pick("Decisione", "Decision")) }
                        th scope="col" { (l.pick("Motivo", "Reason")) }
                    } }
                    tbody {
                        @for line in lines {
                            tr {
                                td { (line.when) }
                                td {
                                    (action_label(l, line.action))
                                    @if line.by_system { " " span class="meta" { (l.pick("(automatico)", "(automatic)")) } }
                                    br;
                                    (kind_label(l, line.kind)) " " (line.id)
                                }
                                td { (line.reason) }
                            }
                        }
                    }
                }
                }
            }
            @if let Some(before) = next {
                p { a href={ "/moderazione/registro?prima=" (before) } { (l.pick("Decisioni precedenti", "Earlier decisions")) } }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn common(lang: Lang) -> Common<'static> {
        Common {
            lang,
            csrf: "TOKEN",
            here: "/moderazione",
            notice: None,
            errors: &[],
        }
    }

    #[test]
    fn the_queue_shows_the_reports_and_a_decision_form_per_item() {
        let entries = [QueueEntry {
            kind: "annotation",
            id: 5,
            href: "/annotazioni/5".into(),
            label: "Panchine <rotte>",
            held: true,
            open_weight: 3,
            reports: vec![ReportLine {
                reason: "Molestie o insulti",
                note: "Offende",
                snapshot: "Il testo <b>com'era</b>",
                when: "3 dicembre 2026",
            }],
            held_for: vec!["Il testo contiene un codice fiscale"],
        }];
        let html = queue(&common(Lang::It), &entries).into_string();
        assert!(
            html.contains(r#"<a href="/annotazioni/5">Panchine &lt;rotte&gt;</a>"#),
            "{html}"
        );
        assert!(
            html.contains("Il testo &lt;b&gt;com'era&lt;/b&gt;"),
            "the snapshot is text"
        );
        assert!(html.contains("Molestie o insulti") && html.contains("Offende"));
        assert!(html.contains("Il testo contiene un codice fiscale"));
        assert!(html.contains(r#"action="/moderazione/decisioni""#));
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="TOKEN">"#));
        assert!(html.contains(r#"id="decision-annotation-5-approve""#));
        assert!(html.contains(r#"<label for="decision-annotation-5-reason">"#));
        assert!(queue(&common(Lang::En), &[])
            .into_string()
            .contains("Nothing to review."));
    }

    #[test]
    fn the_log_says_what_and_why_and_pages_back() {
        let lines = [LogLine {
            when: "3 Dec 2026",
            action: "hold",
            kind: "post",
            id: 9,
            reason: "Reported by several people",
            by_system: true,
        }];
        let html = log(&common(Lang::En), &lines, Some(9)).into_string();
        assert!(html.contains("Held") && html.contains("(automatic)") && html.contains("Post 9"));
        assert!(html.contains(r#"href="/moderazione/registro?prima=9""#));
        assert!(html.contains(r#"<th scope="col">Reason</th>"#));
    }
}
