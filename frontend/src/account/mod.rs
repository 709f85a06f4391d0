//! The account pages: sign up, log in (and its second step), forgotten
//! password, reset, profile, settings, sessions, two-factor enrolment, the
//! association request, the public profile, and the admin's users and
//! association requests. Every form posts with a CSRF token in a hidden
//! field named `csrf` and works without JavaScript.
//!
//! Messages in the view-models (errors, notices) arrive already in the
//! page's language: the server knows which rule failed and says so.
//!
//! This file only declares and re-exports. The pages are in `signin` (sign
//! up, log in, second factor, forgotten password, reset), `profile` (your
//! profile and the public one), `settings` (password, e-mail address,
//! deletion, sessions, two-factor authentication), `association` (the
//! verification request) and `admin` (users and association requests);
//! what they share (the role, the error keys, the page frame, the
//! new-password field, the navigations, the message page) is in `shared`.
//! [`Common`], [`FieldError`] and the labelled field, which the
//! participation views use too, live with the page frame in the crate's
//! `forms`.

mod admin;
mod association;
mod profile;
mod settings;
mod shared;
mod signin;

pub use crate::forms::{Common, FieldError};
pub use admin::{
    admin_associations, admin_users, AdminAssociationsView, AdminUsersView, AssociationRequestRow,
    UserRow,
};
pub use association::{
    association_request, AssociationInfo, AssociationRequestView, RequestStatus,
};
pub use profile::{profile, public_profile, ProfileView, PublicProfileView};
pub use settings::{
    sessions, settings, two_factor, Enrolment, SessionRow, SessionsView, SettingsView,
    TwoFactorView,
};
pub use shared::{keys, message, MessageView, Role};
pub use signin::{
    forgot, login, reset, second_factor, signup, ForgotView, LoginView, ResetView,
    SecondFactorView, SignupView,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::page_checks::{
        assert_forms_post_with_csrf, assert_ids_unique_and_controls_labelled, get, rendered,
    };

    pub(super) fn common<'a>(lang: Lang, errors: &'a [FieldError]) -> Common<'a> {
        crate::page_checks::common(lang, "/account", errors)
    }

    /// The settings page with no address change waiting.
    pub(super) fn settings_html(c: &Common) -> String {
        settings(
            c,
            &SettingsView {
                email: "a@b.it",
                pending_email: None,
            },
        )
        .into_string()
    }

    pub(super) fn info(name: &str) -> AssociationInfo<'_> {
        AssociationInfo {
            name,
            website: "https://example.org/?a=1&b=2",
            tax_code: "12345678901",
            status: RequestStatus::Rejected,
            note: Some("Dati incompleti"),
        }
    }

    /// Every page in both languages, with the given errors, in varied states.
    pub(super) fn every_page(
        lang: Lang,
        errors: &[FieldError],
        name: &str,
    ) -> Vec<(&'static str, String)> {
        let c = common(lang, errors);
        let codes = vec!["abcd-efgh".to_string(), "ijkl-mnop".to_string()];
        let session_rows = [
            SessionRow {
                id: "s1",
                created: "1 marzo 2026",
                last_used: "oggi",
                user_agent: "Firefox",
                current: true,
            },
            SessionRow {
                id: "s2",
                created: "2 marzo 2026",
                last_used: "ieri",
                user_agent: name,
                current: false,
            },
        ];
        let users = [
            UserRow {
                id: 1,
                display_name: "Admin",
                email: "a@x.it",
                role: Role::Admin,
                banned: false,
                email_verified: true,
                totp_enabled: true,
            },
            UserRow {
                id: 2,
                display_name: name,
                email: "b@x.it",
                role: Role::Citizen,
                banned: false,
                email_verified: false,
                totp_enabled: false,
            },
            UserRow {
                id: 3,
                display_name: "C",
                email: "c@x.it",
                role: Role::Moderator,
                banned: true,
                email_verified: true,
                totp_enabled: false,
            },
        ];
        let requests = [
            AssociationRequestRow {
                id: 7,
                user_display_name: name,
                name: "Auser",
                website: "https://auser.it",
                tax_code: "1",
                created: "ieri",
            },
            AssociationRequestRow {
                id: 8,
                user_display_name: "B",
                name: "Arci",
                website: "javascript:alert(1)",
                tax_code: "2",
                created: "oggi",
            },
        ];
        let enrolment = Enrolment {
            secret: "JBSWY3DPEHPK3PXP",
            qr_svg: "<svg viewBox=\"0 0 1 1\"></svg>",
        };
        rendered(vec![
            (
                "signup",
                signup(
                    &c,
                    &SignupView {
                        email: "a@b.it",
                        display_name: name,
                    },
                ),
            ),
            (
                "login",
                login(
                    &c,
                    &LoginView {
                        email: "a@b.it",
                        next: "/mappa",
                    },
                ),
            ),
            (
                "second_factor",
                second_factor(&c, &SecondFactorView { next: "/" }),
            ),
            (
                "forgot",
                forgot(
                    &c,
                    &ForgotView {
                        email: "a@b.it",
                        sent: false,
                    },
                ),
            ),
            (
                "forgot_sent",
                forgot(
                    &c,
                    &ForgotView {
                        email: name,
                        sent: true,
                    },
                ),
            ),
            ("reset", reset(&c, &ResetView { token: "t" })),
            (
                "message",
                message(
                    &c,
                    &MessageView {
                        title: "Ok",
                        body: name,
                        link: Some(("/", "Home")),
                    },
                ),
            ),
            (
                "profile",
                profile(
                    &c,
                    &ProfileView {
                        user_id: 5,
                        email: "a@b.it",
                        display_name: name,
                        bio: name,
                        role: Role::Moderator,
                        email_verified: false,
                        totp_enabled: false,
                        totp_required: true,
                        association: Some(info(name)),
                    },
                ),
            ),
            (
                "profile_plain",
                profile(
                    &c,
                    &ProfileView {
                        user_id: 5,
                        email: "a@b.it",
                        display_name: "x",
                        bio: "",
                        role: Role::Citizen,
                        email_verified: true,
                        totp_enabled: false,
                        totp_required: false,
                        association: None,
                    },
                ),
            ),
            (
                "settings",
                settings(
                    &c,
                    &SettingsView {
                        email: "a@b.it",
                        pending_email: Some("new@b.it"),
                    },
                ),
            ),
            (
                "sessions",
                sessions(
                    &c,
                    &SessionsView {
                        sessions: &session_rows,
                    },
                ),
            ),
            (
                "2fa_off",
                two_factor(
                    &c,
                    &TwoFactorView {
                        enabled: false,
                        required: true,
                        enrolment: None,
                        recovery_codes: None,
                        recovery_remaining: 0,
                    },
                ),
            ),
            (
                "2fa_enrol",
                two_factor(
                    &c,
                    &TwoFactorView {
                        enabled: false,
                        required: false,
                        enrolment: Some(enrolment),
                        recovery_codes: None,
                        recovery_remaining: 0,
                    },
                ),
            ),
            (
                "2fa_on",
                two_factor(
                    &c,
                    &TwoFactorView {
                        enabled: true,
                        required: false,
                        enrolment: None,
                        recovery_codes: Some(&codes),
                        recovery_remaining: 8,
                    },
                ),
            ),
            (
                "2fa_required",
                two_factor(
                    &c,
                    &TwoFactorView {
                        enabled: true,
                        required: true,
                        enrolment: None,
                        recovery_codes: None,
                        recovery_remaining: 3,
                    },
                ),
            ),
            (
                "association",
                association_request(
                    &c,
                    &AssociationRequestView {
                        name,
                        website: "",
                        tax_code: "",
                        current: Some(info(name)),
                    },
                ),
            ),
            (
                "public",
                public_profile(
                    &c,
                    &PublicProfileView {
                        display_name: name,
                        bio: name,
                        role: Role::Association,
                        association: Some((name, "https://auser.it")),
                        member_since: "marzo 2026",
                    },
                ),
            ),
            (
                "admin_users",
                admin_users(
                    &c,
                    &AdminUsersView {
                        me: 1,
                        users: &users,
                    },
                ),
            ),
            (
                "admin_associations",
                admin_associations(
                    &c,
                    &AdminAssociationsView {
                        requests: &requests,
                    },
                ),
            ),
            (
                "admin_associations_empty",
                admin_associations(&c, &AdminAssociationsView { requests: &[] }),
            ),
        ])
    }

    #[test]
    fn every_form_posts_with_the_csrf_token() {
        for lang in Lang::ALL {
            for (name, html) in every_page(lang, &[], "Anna") {
                assert_forms_post_with_csrf(name, &html);
            }
        }
    }

    #[test]
    fn ids_are_unique_and_every_input_has_a_label() {
        for (name, html) in every_page(Lang::It, &[], "Anna") {
            assert_ids_unique_and_controls_labelled(name, &html);
        }
    }

    #[test]
    fn english_pages_speak_english() {
        for (name, html) in every_page(Lang::En, &[], "Anna") {
            assert!(html.contains(r#"<html lang="en">"#), "{name}");
            for italian in ["Accedi", "Registrati", "Esci", "Revoca", "Invia", "Salva"] {
                assert!(
                    !html.contains(&format!(">{italian}")),
                    "{name} says {italian}"
                );
            }
        }
        let c = common(Lang::En, &[]);
        let html = signup(
            &c,
            &SignupView {
                email: "",
                display_name: "",
            },
        )
        .into_string();
        assert!(html.contains("At least 12 characters"));
        assert!(settings_html(&c).contains("Download your data (JSON)"));
    }

    #[test]
    fn user_text_is_escaped() {
        for (name, html) in every_page(Lang::It, &[], "<script>x</script>") {
            assert!(!html.contains("<script>x"), "{name}");
        }
        let pages = every_page(Lang::It, &[], "<script>x</script>");
        let public = get(&pages, "public");
        assert!(public.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(public.contains(r#"class="prewrap""#));
        assert!(public.contains(r#"rel="nofollow ugc noopener""#));
        let admin = get(&pages, "admin_associations");
        assert!(
            !admin.contains(r#"href="javascript:"#),
            "only http(s) sites are links"
        );
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_value(role.value()), Some(role));
        }
        assert_eq!(Role::from_value("root"), None);
    }
}
