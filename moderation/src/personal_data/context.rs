//! Words that tell a person's role or an institution apart from the
//! person themself, shared by the address and special-category rules:
//! "Maria Rossi, coordinatrice del SerD di via Fabbri 6" gives an office's
//! address and a service's name, not Maria Rossi's address or health.

/// Stems (a trailing `*` matches any ending) of roles and of public
/// places and institutions.
pub(crate) const ROLES_AND_INSTITUTIONS: &[&str] = &[
    // Roles.
    "coordinat*",
    "responsabil*",
    "direttor*",
    "direttric*",
    "primari*",
    "president*",
    "operator*",
    "operatric*",
    "medic*",
    "educator*",
    "educatric*",
    "assessor*",
    "dirigent*",
    "funzionari*",
    "psicolog*",
    "infermier*",
    "referent*",
    "portavoce",
    "consiglier*",
    "sindac*",
    "volontari*",
    // Institutions and places.
    "serd",
    "sert",
    "centr*",
    "uffic*",
    "sportell*",
    "sede",
    "sedi",
    "serviz*",
    "ausl",
    "asp",
    "comune",
    "consult*",
    "associazion*",
    "cooperativ*",
    "fondazion*",
    "ospedal*",
    "ambulatori*",
    "poliambulatori*",
    "struttur*",
    "rsa",
    "scuol*",
    "bibliotec*",
    "parrocchi*",
    "caritas",
    "dormitori*",
    "mensa",
    "sindacat*",
    "urp",
    "casa della salute",
    "hospice",
];

pub(crate) fn stem_matches(pattern: &str, word: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(stem) => word.starts_with(stem),
        None => word == pattern,
    }
}

/// Is this lowercase word a role or an institution?
pub(crate) fn is_role_or_institution(lower: &str) -> bool {
    ROLES_AND_INSTITUTIONS
        .iter()
        .any(|p| !p.contains(' ') && stem_matches(p, lower))
}
