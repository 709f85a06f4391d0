//! The account pages and their forms: sign up, verify, log in (with the
//! second factor), log out, forgotten password, profile, settings,
//! sessions, two-factor enrolment, association request, data download and
//! deletion, and the public profile.
//!
//! Forms re-render with errors that name the field (422); successes
//! redirect (303) with a short notice code in `?msg=`. Every answer that
//! concerns an address (sign-up, forgotten password, log-in) is the same
//! whether or not the address has an account. Handlers return
//! `Result<Response, http::error::Error>` and name the user they act for
//! (`SignedIn`, `Verified`) and the form (`CheckedForm`) in their signature.
//!
//! This file only declares and re-exports; its children never import it.

mod association;
mod ctx;
mod login;
mod mail;
mod profile;
mod recovery;
mod rules;
mod sessions;
mod settings;
mod signup;
mod two_factor;

pub use association::{association_page, association_submit};
pub(crate) use ctx::{date, form_status, notice, page, role_view, see_other};
pub use ctx::{Ctx, MsgQuery};
pub use login::{login, login_page, logout, logout_everywhere, second_factor, second_factor_page};
pub use mail::send_mail;
pub(crate) use mail::user_lang;
pub use profile::{profile_page, public_profile, update_profile};
pub use recovery::{
    confirm_email, forgot, forgot_page, resend_verification, reset, reset_page, verify,
};
pub use sessions::{revoke_session, sessions_page};
pub use settings::{change_email, change_password, delete_account, export, settings_page};
pub use signup::{signup, signup_page};
pub use two_factor::{totp_codes, totp_confirm, totp_disable, totp_start, two_factor_page};
