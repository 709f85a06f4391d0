//! The official data as values: the Comune's files and what they hold.
//!
//! Owns the domain's vocabulary (`model`: boundary sets, levels, datasets,
//! variables, areas, observations), area identity (`areas`: codes, slugs,
//! aliases), the catalog of official files and the pure parsers of their
//! real formats (`catalog`), the verified bytes turned into rows
//! (`bundle`), boundaries and the 2014 -> 2016 dissolve (`geography`), the
//! quartieri projected and simplified for the map (`cartography`), the
//! numbers (`query`: aggregation to 2016, rates, shares, notes), and one
//! published snapshot of all of it (`reference`).
//!
//! Pure: values in, values out, no I/O. May use: `config` only. Storage is
//! `store::official`; fetching and loading is `import`; the snapshot kept
//! fresh in memory is `published`.

pub mod areas;
pub mod bundle;
pub mod cartography;
pub mod catalog;
pub mod geography;
pub mod model;
pub mod query;
pub mod reference;
