//! Follows: the page of what a user follows (digest choice, unfollow)
//! and the follow / unfollow toggle shown on what can be followed.

use maud::{html, Markup};

use crate::account::Common;
use crate::forms::{csrf, full_page, inline_form};

pub struct FollowItem<'a> {
    pub subject: &'a str,
    pub title: &'a str,
    pub link: &'a str,
    /// "none", "daily" or "weekly".
    pub digest: &'a str,
}

/// The follows page: each followed item with a digest select (none,
/// daily, weekly) posting subject + digest to /seguiti, and an "unfollow"
/// form posting subject to /seguiti/rimuovi.
pub fn follows(c: &Common, items: &[FollowItem]) -> Markup {
    let l = c.lang;
    let digests = [
        ("none", l.pick("Nessun riepilogo", "No digest")),
        ("daily", l.pick("Riepilogo giornaliero", "Daily digest")),
        ("weekly", l.pick("Riepilogo settimanale", "Weekly digest")),
    ];
    full_page(
        c,
        l.pick("Cosa segui", "What you follow"),
        html! {},
        &[],
        html! {
            @if items.is_empty() {
                p class="empty" { (l.pick(
                    "Non segui ancora niente: usa il pulsante «Segui» di un quartiere o di una discussione per ricevere le novità.",
                    "You don't follow anything yet: use the “Follow” button of a quartiere or a discussion to get its news.")) }
            } @else {
                ul class="follows" {
                    @for (i, f) in items.iter().enumerate() {
                        li {
                            a href=(f.link) { (f.title) }
                            " "
                            (inline_form(c, "/seguiti", html! {
                                input type="hidden" name="subject" value=(f.subject);
                                label for={ "digest-" (i) } {
                                    (l.pick("Riepilogo", "Digest"))
                                    span class="visually-hidden" { (l.pick(" per ", " for ")) (f.title) }
                                }
                                select id={ "digest-" (i) } name="digest" {
                                    @for (value, label) in digests {
                                        option value=(value) selected[value == f.digest] { (label) }
                                    }
                                }
                                button type="submit" {
                                    (l.pick("Salva", "Save"))
                                    span class="visually-hidden" { (l.pick(" il riepilogo per ", " the digest for ")) (f.title) }
                                }
                            }))
                            (inline_form(c, "/seguiti/rimuovi", html! {
                                input type="hidden" name="subject" value=(f.subject);
                                button type="submit" {
                                    (l.pick("Non seguire più", "Unfollow"))
                                    span class="visually-hidden" { " " (f.title) }
                                }
                            }))
                        }
                    }
                }
            }
        },
    )
}

/// A "follow" / "following" toggle: a form posting `subject` to /seguiti
/// (follow) or /seguiti/rimuovi (unfollow).
pub fn follow_button(c: &Common, subject: &str, following: bool) -> Markup {
    let l = c.lang;
    // Several follow buttons may share a page: each says what it follows.
    let what = match subject.split_once(':').map(|(kind, _)| kind) {
        Some("area") => l.pick(" il quartiere", " the quartiere"),
        Some("dataset") => l.pick(" il dataset", " the dataset"),
        Some("thread") => l.pick(" la discussione", " the discussion"),
        _ => "",
    };
    html! {
        @if following {
            form class="inline follow" method="post" action="/seguiti/rimuovi" {
                (csrf(c))
                input type="hidden" name="subject" value=(subject);
                button type="submit" aria-pressed="true" { (l.pick("Segui già · non seguire più", "Following · unfollow")) (what) }
            }
        } @else {
            form class="inline follow" method="post" action="/seguiti" {
                (csrf(c))
                input type="hidden" name="subject" value=(subject);
                input type="hidden" name="digest" value="none";
                button type="submit" aria-pressed="false" { (l.pick("Segui", "Follow")) (what) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;
    use crate::participation::tests::{every_view, get, ANNA};

    #[test]
    fn follows_and_the_follow_button() {
        let views = every_view(Lang::It, &[], ANNA);
        let follows = get(&views, "follows");
        assert!(
            follows.contains(r#"<option value="weekly" selected>Riepilogo settimanale</option>"#)
        );
        assert!(
            follows.contains(r#"name="subject" value="thread:42""#)
                && follows.contains(r#"action="/seguiti/rimuovi""#)
        );
        assert!(follows.contains(r#"<label for="digest-1">"#));
        let on = get(&views, "follow_button_on");
        assert!(
            on.contains(r#"action="/seguiti/rimuovi""#) && on.contains(r#"aria-pressed="true""#)
        );
        let off = get(&views, "follow_button_off");
        assert!(
            off.contains(r#"action="/seguiti""#) && off.contains(r#"name="digest" value="none""#)
        );
        assert!(off.contains(r#"aria-pressed="false""#));
    }
}
