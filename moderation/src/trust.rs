//! Trust levels, Discourse-style (0 = new user ... 4 = leader), from what
//! the server knows of an account. They weigh reports and decide which
//! accounts get the new-account limits of the policy.

/// The day, in seconds, an account stays at level 0.
const FIRST_DAY: u64 = 24 * 3600;
/// After a month and this many published texts an account is level 2.
const MEMBER_AGE: u64 = 30 * 24 * 3600;
const MEMBER_TEXTS: u32 = 10;

/// What an account has shown of itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub account_age_secs: u64,
    /// Annotations and posts of theirs that are visible (not held, removed
    /// or deleted).
    pub published: u32,
    /// Moderator actions against them (removals, warnings, suspensions).
    pub sanctions: u32,
    /// Moderators and admins.
    pub moderator: bool,
}

/// 0 during the first day or after a sanction; 1 after the first day;
/// 2 after a month and ten published texts; 4 for moderators.
pub fn trust_level(s: Standing) -> u8 {
    if s.moderator {
        4
    } else if s.sanctions > 0 || s.account_age_secs < FIRST_DAY {
        0
    } else if s.account_age_secs >= MEMBER_AGE && s.published >= MEMBER_TEXTS {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(days: u64, published: u32) -> Standing {
        Standing {
            account_age_secs: days * 24 * 3600,
            published,
            sanctions: 0,
            moderator: false,
        }
    }

    #[test]
    fn accounts_earn_trust_with_time_and_published_texts() {
        assert_eq!(trust_level(standing(0, 50)), 0);
        assert_eq!(trust_level(standing(1, 0)), 1);
        assert_eq!(trust_level(standing(29, 100)), 1);
        assert_eq!(trust_level(standing(30, 9)), 1);
        assert_eq!(trust_level(standing(30, 10)), 2);
    }

    #[test]
    fn a_sanction_resets_trust_and_moderators_are_trusted() {
        let sanctioned = Standing {
            sanctions: 1,
            ..standing(400, 200)
        };
        assert_eq!(trust_level(sanctioned), 0);
        let moderator = Standing {
            moderator: true,
            ..standing(0, 0)
        };
        assert_eq!(trust_level(moderator), 4);
    }
}
